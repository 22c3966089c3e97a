// The embedded default: revocations known to this process, written to the database, and read back
// from it every `pollMs` (default 10 s), so several processes without Redis learn of one another's
// revocations within that interval instead of at their next restart. With KILN_REDIS_URL they learn
// at once (redis-revocations.ts). The poll is one indexed read of the few unexpired revoked ids.
import type { AnyDB } from '../../data/driver.ts';
import { loadRevoked, RevokedIds, storeRevoked, type RevocationList, type RevokedToken } from './revocation-list.ts';

export class MemoryRevocations implements RevocationList {
  readonly #db: AnyDB;
  readonly #ids = new RevokedIds();
  #timer: NodeJS.Timeout | undefined;

  private constructor(db: AnyDB) {
    this.#db = db;
  }

  static async open(db: AnyDB, o: { pollMs?: number } = {}): Promise<MemoryRevocations> {
    const list = new MemoryRevocations(db);
    list.#ids.add(await loadRevoked(db));
    list.#timer = setInterval(() => void loadRevoked(db).then((t) => list.#ids.add(t), () => {}), o.pollMs ?? 10_000);
    list.#timer.unref();
    return list;
  }

  has(jti: string): boolean {
    return this.#ids.has(jti);
  }

  async revoke(tokens: readonly RevokedToken[]): Promise<void> {
    this.#ids.add(tokens);
    await storeRevoked(this.#db, tokens);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }
}
