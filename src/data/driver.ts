// The one narrow interface a storage driver implements, in the manner of a Kysely dialect: Kysely
// builds the SQL; a driver only says how its database stores each field type, the few expressions
// that differ between SQL dialects, and how it reports constraint violations.
import type { Expression, Kysely, SqlBool } from 'kysely';
import type { Field } from '../spec/schema.ts';
import type { SearchIndex } from './search/search-index.ts';

export type DialectName = 'sqlite' | 'postgres';

/** Tables are created from the spec, so rows are untyped records at this boundary. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDB = Kysely<any>;

// 'value': the database cannot store a value the checks let through; a backstop that keeps it a 4xx.
// 'retry': the transaction lost a race (deadlock, serialization) and may simply be tried again.
export type Violation = { kind: 'unique' | 'foreign_key' | 'not_null' | 'check' | 'value' | 'retry'; columns?: string[]; constraint?: string };

export interface StorageDriver {
  readonly dialect: DialectName;
  readonly db: AnyDB;
  /** SQL type for a column holding this field (never for many-relations or system columns). */
  columnType(field: Field): string;
  /** SQL types for item ids and timestamps. */
  readonly idType: string;
  readonly timestampType: string;
  /** API canonical value → bound parameter. Never called with null. */
  encode(field: Field, value: unknown): unknown;
  /** Column value → API canonical value; undefined means the value passes through unchanged. */
  decoder(field: Field): ((raw: unknown) => unknown) | undefined;
  encodeTimestamp(iso: string): unknown;
  decodeTimestamp(raw: unknown): string;
  /** Case-insensitive LIKE with `\` as the escape character. */
  likeInsensitive(column: Expression<unknown>, pattern: string): Expression<SqlBool>;
  /** A JSON array column contains the given string. */
  jsonArrayContains(column: Expression<unknown>, value: string): Expression<SqlBool>;
  /** Full-text search on this database. */
  readonly search: SearchIndex;
  /** Recognizes a constraint violation in an error thrown by the database. */
  violation(error: unknown): Violation | undefined;
  close(): Promise<void>;
}
