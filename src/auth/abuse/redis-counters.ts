// Counters in Redis, shared by every process of a deployment: one INCR (and PEXPIRE on the first hit)
// in a script, so the count and its window are set atomically. Keys carry a prefix naming the app.
import { Redis } from 'ioredis';
import type { Count, CounterStore } from './counter-store.ts';

const HIT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local t = redis.call('PTTL', KEYS[1])
if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); t = tonumber(ARGV[1]) end
return {n, t}`;

const PEEK = `local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
return {tonumber(n), redis.call('PTTL', KEYS[1])}`;

export class RedisCounters implements CounterStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  private constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Connects first, so a wrong KILN_REDIS_URL stops the start instead of every sign-in. */
  static async open(url: string, prefix: string): Promise<RedisCounters> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
    } catch (e) {
      redis.disconnect();
      throw new Error(`KILN_REDIS_URL: cannot connect to Redis: ${(e as Error).message}`, { cause: e });
    }
    return new RedisCounters(redis, prefix);
  }

  async hit(key: string, windowMs: number): Promise<Count> {
    const [count, ttl] = (await this.#redis.eval(HIT, 1, this.#prefix + key, String(windowMs))) as [number, number];
    return { count, resetMs: Math.max(ttl, 0) };
  }

  async peek(key: string): Promise<Count> {
    const [count, ttl] = (await this.#redis.eval(PEEK, 1, this.#prefix + key)) as [number, number];
    return { count, resetMs: Math.max(ttl, 0) };
  }

  async clear(key: string): Promise<void> {
    await this.#redis.del(this.#prefix + key);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
