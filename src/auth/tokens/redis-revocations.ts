// Revocations shared through Redis: each process keeps its own set in memory (so a request never
// waits on Redis) and learns of other processes' revocations from a pub/sub channel. After a lost
// connection the set is read again from the database, which holds every revocation, so messages
// published meanwhile are not missed.
import { Redis } from 'ioredis';
import type { AnyDB } from '../../data/driver.ts';
import { loadRevoked, RevokedIds, storeRevoked, type RevocationList, type RevokedToken } from './revocation-list.ts';

export class RedisRevocations implements RevocationList {
  readonly #db: AnyDB;
  readonly #ids = new RevokedIds();
  readonly #channel: string;
  readonly #pub: Redis;
  readonly #sub: Redis;

  private constructor(db: AnyDB, url: string, channel: string) {
    this.#db = db;
    this.#channel = channel;
    const options = { lazyConnect: true, maxRetriesPerRequest: 2 };
    this.#pub = new Redis(url, options);
    this.#sub = new Redis(url, options);
  }

  /** `channel` names the app, so apps sharing one Redis keep their lists apart. */
  static async open(db: AnyDB, url: string, channel: string): Promise<RedisRevocations> {
    const list = new RedisRevocations(db, url, channel);
    try {
      await Promise.all([list.#pub.connect(), list.#sub.connect()]);
    } catch (e) {
      list.#pub.disconnect();
      list.#sub.disconnect();
      throw new Error(`KILN_REDIS_URL: cannot connect to Redis: ${(e as Error).message}`, { cause: e });
    }
    list.#sub.on('message', (channel: string, message: string) => {
      if (channel !== list.#channel) return;
      try {
        const tokens = JSON.parse(message) as RevokedToken[];
        if (Array.isArray(tokens)) list.#ids.add(tokens.filter((t) => typeof t?.jti === 'string' && typeof t.exp === 'number'));
      } catch {
        // Not ours: ignore.
      }
    });
    await list.#sub.subscribe(channel);
    // Registered once connected: any later 'ready' is a reconnection.
    list.#sub.on('ready', () => void loadRevoked(db).then((t) => list.#ids.add(t), () => {}));
    list.#ids.add(await loadRevoked(db));
    return list;
  }

  has(jti: string): boolean {
    return this.#ids.has(jti);
  }

  async revoke(tokens: readonly RevokedToken[]): Promise<void> {
    if (!tokens.length) return;
    this.#ids.add(tokens);
    await storeRevoked(this.#db, tokens);
    await this.#pub.publish(this.#channel, JSON.stringify(tokens));
  }

  async close(): Promise<void> {
    this.#sub.disconnect();
    this.#pub.disconnect();
  }
}
