// The embedded default: revocations known to this process (and, through the database, to processes
// that start later). Several processes without Redis each learn of a revocation only when they
// restart, which is why KILN_REDIS_URL exists.
import type { AnyDB } from '../../data/driver.ts';
import { loadRevoked, RevokedIds, storeRevoked, type RevocationList, type RevokedToken } from './revocation-list.ts';

export class MemoryRevocations implements RevocationList {
  readonly #db: AnyDB;
  readonly #ids = new RevokedIds();

  private constructor(db: AnyDB) {
    this.#db = db;
  }

  static async open(db: AnyDB): Promise<MemoryRevocations> {
    const list = new MemoryRevocations(db);
    list.#ids.add(await loadRevoked(db));
    return list;
  }

  has(jti: string): boolean {
    return this.#ids.has(jti);
  }

  async revoke(tokens: readonly RevokedToken[]): Promise<void> {
    this.#ids.add(tokens);
    await storeRevoked(this.#db, tokens);
  }

  async close(): Promise<void> {}
}
