// How long a rate-limited caller should wait, from the answer's headers. The queue honours this
// instead of its own backoff, so a wrong guess here either hammers the provider or stalls the queue.

/** `retry-after-ms` (OpenAI), then `Retry-After` in seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.ceil(Number(after) * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One rate-limit dimension (requests, tokens, …): what is left and when the window resets, in ms from now. */
export type LimitWindow = { remaining: string | null; resetInMs: number | undefined };

/**
 * The wait implied by the provider's own rate-limit headers when it sent no Retry-After: the reset of the
 * exhausted dimensions (a dimension with budget left does not block), or the latest reset when none says so.
 */
export function resetWaitMs(windows: readonly LimitWindow[]): number | undefined {
  const known = windows.filter((w): w is { remaining: string | null; resetInMs: number } => w.resetInMs !== undefined);
  if (known.length === 0) return undefined;
  const exhausted = known.filter((w) => w.remaining !== null && Number(w.remaining) <= 0);
  return Math.max(...(exhausted.length > 0 ? exhausted : known).map((w) => w.resetInMs));
}

/** An RFC 3339 timestamp (Anthropic's `anthropic-ratelimit-*-reset`) as ms from now. */
export function untilTimestamp(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A Go-style duration such as `6m0s`, `1.5s` or `20ms` (OpenAI's `x-ratelimit-reset-*`) in ms. */
export function durationMs(value: string | null): number | undefined {
  if (value === null || !/^\s*(\d+(\.\d+)?(ms|h|m|s)\s*)+$/.test(value)) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, amount, , name] of value.matchAll(/(\d+(\.\d+)?)(ms|h|m|s)/g)) total += Number(amount) * unit[name];
  return Math.ceil(total);
}
