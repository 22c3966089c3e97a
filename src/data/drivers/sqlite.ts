// The embedded default: one SQLite file through node:sqlite, in WAL mode. synchronous=FULL makes a
// commit durable before the API acknowledges it, so acknowledged writes survive a crash of the
// process or of the machine.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql, type Expression } from 'kysely';
import type { Field } from '../../spec/schema.ts';
import { decimalShape, decimalToScaled, scaledToDecimal } from '../../spec/values.ts';
import type { StorageDriver, Violation } from '../driver.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import { sqliteSearch } from '../search/sqlite-fts.ts';

export type SqliteOptions = { file: string; synchronous?: 'full' | 'normal' };

const isJsonStored = (f: Field) => f.type === 'json' || (f.type === 'enum' && f.multiple === true);

export function openSqlite(options: SqliteOptions): StorageDriver {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const raw = new DatabaseSync(options.file, { enableForeignKeyConstraints: true, timeout: 5000 });
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  raw.exec('PRAGMA foreign_keys = ON');
  raw.exec('PRAGMA temp_store = MEMORY');
  raw.exec('PRAGMA cache_size = -65536');
  const db = new Kysely({ dialect: new NodeSqliteDialect(raw) });

  return {
    dialect: 'sqlite',
    db,
    idType: 'text',
    timestampType: 'text',
    search: sqliteSearch,
    columnType(field) {
      switch (field.type) {
        case 'integer':
        case 'boolean':
        case 'decimal':
          return 'integer';
        case 'number':
          return 'real';
        default:
          return 'text';
      }
    },
    encode(field, value) {
      switch (field.type) {
        case 'boolean':
          return value ? 1 : 0;
        case 'decimal':
          return decimalToScaled(value as string, decimalShape(field).scale);
        default:
          return isJsonStored(field) ? JSON.stringify(value) : value;
      }
    },
    decoder(field) {
      if (field.type === 'boolean') return (v) => v === 1;
      if (field.type === 'decimal') {
        const { scale } = decimalShape(field);
        return (v) => scaledToDecimal(v as number, scale);
      }
      if (isJsonStored(field)) return (v) => JSON.parse(v as string);
      return undefined;
    },
    encodeTimestamp: (iso) => iso,
    decodeTimestamp: (raw) => raw as string,
    likeInsensitive(column: Expression<unknown>, pattern: string) {
      // SQLite's LIKE folds ASCII case by itself.
      return sql<boolean>`${column} like ${pattern} escape '\\'`;
    },
    jsonArrayContains(column: Expression<unknown>, value: string) {
      return sql<boolean>`exists (select 1 from json_each(${column}) where json_each.value = ${value})`;
    },
    violation(error: unknown): Violation | undefined {
      const e = error as { code?: string; errcode?: number; message?: string };
      if (e?.code !== 'ERR_SQLITE_ERROR' || typeof e.errcode !== 'number') return undefined;
      const columns = /constraint failed: (.*)$/.exec(e.message ?? '')?.[1]?.split(', ').map((c) => c.slice(c.indexOf('.') + 1));
      switch (e.errcode) {
        case 2067: // SQLITE_CONSTRAINT_UNIQUE
        case 1555: // SQLITE_CONSTRAINT_PRIMARYKEY
          return { kind: 'unique', columns };
        case 787:
          return { kind: 'foreign_key' };
        case 1299:
          return { kind: 'not_null', columns };
        case 275:
          return { kind: 'check' };
        default:
          return undefined;
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
