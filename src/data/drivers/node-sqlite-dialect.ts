// A Kysely dialect for `node:sqlite`: Kysely's own SQLite compiler, adapter and introspector with a
// driver that serializes access to the one synchronous connection (a transaction spans awaits, so
// without the lock another request's statement could run inside it) and caches prepared statements.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

type Prepared = { stmt: StatementSync; reader: boolean };

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, Prepared>();
  readonly #cacheSize: number;

  constructor(db: DatabaseSync, cacheSize: number) {
    this.#db = db;
    this.#cacheSize = cacheSize;
  }

  #prepare(sql: string): Prepared {
    let p = this.#cache.get(sql);
    if (p) {
      // Re-insert to keep the Map in least-recently-used order.
      this.#cache.delete(sql);
      this.#cache.set(sql, p);
      return p;
    }
    const stmt = this.#db.prepare(sql);
    p = { stmt, reader: stmt.columns().length > 0 };
    this.#cache.set(sql, p);
    if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    return p;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const { stmt, reader } = this.#prepare(q.sql);
    const params = q.parameters as Parameters<StatementSync['all']>;
    if (reader) return { rows: stmt.all(...params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { stmt } = this.#prepare(q.sql);
    for (const row of stmt.iterate(...(q.parameters as Parameters<StatementSync['all']>))) yield { rows: [row as R] };
  }
}

class NodeSqliteDriver implements Driver {
  readonly #db: DatabaseSync;
  readonly #connection: NodeSqliteConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db, 512);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((r) => (release = r));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const r = this.#release;
    this.#release = undefined;
    r?.();
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    // IMMEDIATE takes the write lock up front, so two processes on one file never deadlock mid-transaction.
    await c.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async destroy(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

export class NodeSqliteDialect implements Dialect {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) {
    this.#db = db;
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#db);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
