// PostgreSQL through `pg`: many stateless Kiln processes can share one database.
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Expression } from 'kysely';
import type { Field } from '../../spec/schema.ts';
import { decimalShape } from '../../spec/values.ts';
import type { StorageDriver, Violation } from '../driver.ts';
import { postgresSearch } from '../search/postgres-fts.ts';

export type PostgresOptions = { connectionString: string; max?: number };

// Values come back in the API's canonical form straight from the wire, with no per-row work:
// dates stay strings, int8 becomes a number (the spec limits integers to the safe range).
const OID = { int8: 20, date: 1082, timestamptz: 1184, numeric: 1700 } as const;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.int8) return (v: string) => Number(v);
    if (oid === OID.date) return (v: string) => v;
    if (oid === OID.timestamptz) return isoFromPostgres;
    return pg.types.getTypeParser(oid, format);
  },
};

/** PostgreSQL writes "0001-01-01 00:00:00+00", which Date would read as 2001; rewrite it as ISO 8601 first. */
function isoFromPostgres(v: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(?::?(\d\d))?$/.exec(v);
  return new Date(m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}${m[5] ?? ''}${m[6]}:${m[7] ?? '00'}` : v).toISOString();
}

export function openPostgres(options: PostgresOptions): StorageDriver {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10, types: types as pg.CustomTypesConfig });
  // An idle client's network error must not crash the process; the pool replaces the client.
  pool.on('error', () => {});
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    idType: 'uuid',
    timestampType: 'timestamptz',
    search: postgresSearch,
    columnType(field: Field) {
      switch (field.type) {
        case 'integer':
          return 'bigint';
        case 'number':
          return 'double precision';
        case 'decimal': {
          const { precision, scale } = decimalShape(field);
          return `numeric(${precision}, ${scale})`;
        }
        case 'boolean':
          return 'boolean';
        case 'date':
          return 'date';
        case 'datetime':
          return 'timestamptz';
        case 'json':
          return 'jsonb';
        case 'enum':
          return field.multiple ? 'jsonb' : 'text';
        case 'relation':
          return 'uuid';
        default:
          return 'text';
      }
    },
    encode(field, value) {
      // pg would turn a JS array into a PostgreSQL array literal; jsonb wants JSON text.
      if (field.type === 'json' || (field.type === 'enum' && field.multiple)) return JSON.stringify(value);
      return value;
    },
    decoder(field) {
      if (field.type === 'decimal') {
        const { scale } = decimalShape(field);
        // numeric(p, s) already renders s digits; only a value typed as numeric without scale would not.
        return scale === 0 ? (v) => String(v) : undefined;
      }
      return undefined;
    },
    encodeTimestamp: (iso) => iso,
    decodeTimestamp: (raw) => raw as string,
    likeInsensitive(column: Expression<unknown>, pattern: string) {
      return sql<boolean>`${column} ilike ${pattern} escape '\\'`;
    },
    jsonArrayContains(column: Expression<unknown>, value: string) {
      return sql<boolean>`${column} @> ${JSON.stringify([value])}::jsonb`;
    },
    violation(error: unknown): Violation | undefined {
      const e = error as { code?: string; constraint?: string; column?: string };
      switch (e?.code) {
        case '23505':
          return { kind: 'unique', constraint: e.constraint };
        case '23503':
          return { kind: 'foreign_key', constraint: e.constraint };
        case '23502':
          return { kind: 'not_null', columns: e.column ? [e.column] : undefined };
        case '23514':
          return { kind: 'check', constraint: e.constraint };
        case '40P01': // deadlock detected
        case '40001': // serialization failure
          return { kind: 'retry' };
        case '22021': // invalid byte sequence (a NUL in text)
        case '22P05': // untranslatable character (a NUL in jsonb)
        case '22008': // date/time out of range
        case '22003': // numeric out of range
          return { kind: 'value' };
        default:
          return undefined;
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
