// Counters in this process: enough for one process; counts are lost on restart, which only ever
// errs towards letting a caller try again.
import type { Count, CounterStore } from './counter-store.ts';

const MAX_KEYS = 100_000;

export class MemoryCounters implements CounterStore {
  readonly #counts = new Map<string, { count: number; until: number }>();

  async hit(key: string, windowMs: number): Promise<Count> {
    const now = Date.now();
    let c = this.#counts.get(key);
    if (!c || c.until <= now) {
      // A flood of distinct keys (spoofed emails) must not grow memory without bound: drop what expired,
      // and if that is not enough, start over (which only forgives, never blocks, anyone).
      if (this.#counts.size >= MAX_KEYS) this.#sweep(now);
      c = { count: 0, until: now + windowMs };
      this.#counts.set(key, c);
    }
    c.count++;
    return { count: c.count, resetMs: c.until - now };
  }

  async peek(key: string): Promise<Count> {
    const now = Date.now();
    const c = this.#counts.get(key);
    return c && c.until > now ? { count: c.count, resetMs: c.until - now } : { count: 0, resetMs: 0 };
  }

  async clear(key: string): Promise<void> {
    this.#counts.delete(key);
  }

  async close(): Promise<void> {
    this.#counts.clear();
  }

  #sweep(now: number): void {
    for (const [k, c] of this.#counts) if (c.until <= now) this.#counts.delete(k);
    if (this.#counts.size >= MAX_KEYS) this.#counts.clear();
  }
}
