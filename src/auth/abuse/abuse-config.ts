// Limits on credential endpoints from the environment (see the README and rate-limit-design below).
export type AbuseConfig = {
  /** KILN_AUTH_RATE_LIMIT: attempts one IP address may make at each credential endpoint per window (default 20; 0 turns the per-IP limits off). */
  perIp: number;
  /** KILN_AUTH_RATE_WINDOW: the window, in seconds (default 60). */
  windowSeconds: number;
  /** KILN_AUTH_SLOWDOWN_AFTER: failed sign-ins for one account from one IP address before each further attempt must wait (default 5; 0 turns the slow-down off). */
  slowDownAfter: number;
  /** KILN_REDIS_URL: counters shared by every process through Redis (default: in this process). */
  redisUrl?: string;
};

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} must be a whole number from 0 to ${max}, not "${raw}"`);
  return n;
}

export function readAbuseConfig(env: NodeJS.ProcessEnv = process.env): AbuseConfig {
  const redisUrl = env.KILN_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error('KILN_REDIS_URL must be a redis:// or rediss:// URL');
  const windowSeconds = whole(env, 'KILN_AUTH_RATE_WINDOW', 60, 86_400);
  if (windowSeconds === 0) throw new Error('KILN_AUTH_RATE_WINDOW must be at least 1 second');
  return {
    perIp: whole(env, 'KILN_AUTH_RATE_LIMIT', 20, 1_000_000),
    windowSeconds,
    slowDownAfter: whole(env, 'KILN_AUTH_SLOWDOWN_AFTER', 5, 1_000),
    redisUrl,
  };
}
