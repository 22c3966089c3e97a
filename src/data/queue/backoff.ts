// Exponential backoff with full jitter: the delay before attempt n+1 is drawn uniformly from
// [0, min(max, base·2^(n-1))]. Drawing from the whole range spreads retries of many jobs that failed
// together (a receiver that was down), instead of sending them back in synchronized waves.

export type Backoff = { baseMs: number; maxMs: number };

/** Milliseconds to wait after the `attempt`-th failed attempt (1-based). */
export function backoffDelay(attempt: number, { baseMs, maxMs }: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.floor(random() * (ceiling + 1));
}
