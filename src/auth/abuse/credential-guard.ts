// Rate limits and the per-account slow-down on every credential endpoint (credential-endpoints.ts).
//
// Design, and why it cannot be turned against the people it protects:
// - Per IP: each address gets a budget of attempts per window at each endpoint group. It bounds how
//   fast one machine can guess, whatever accounts it aims at.
// - Per account: failed password checks are counted per (account, IP address) pair, never per
//   account alone. After `slowDownAfter` failures each further attempt from that pair must wait,
//   the wait doubling with every failure (capped at 15 minutes). An attacker hammering a victim's
//   address from their own machines slows only those machines; the victim, signing in from any
//   other address, is not slowed at all, so nobody can lock a real user out. An attacker spreading
//   guesses over many addresses is still bounded by each address's budget, the argon2id cost of
//   each check and, where the spec asks for it, MFA.
// - Counters are keyed by the address as typed (lower-cased) whether or not an account exists, and
//   every refusal is the same 429, so neither the limits nor their answers say whether an account
//   exists.
// - A correct password from a pair clears its failures.
// Answers: 429 application/problem+json with Retry-After (seconds).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AbuseConfig } from './abuse-config.ts';
import type { CounterStore } from './counter-store.ts';
import { credentialEndpoint, type CredentialEndpoint } from './credential-endpoints.ts';
import { MemoryCounters } from './memory-counters.ts';
import { RedisCounters } from './redis-counters.ts';

/** Set on every /api/auth request from the connection itself (a caller's own value is replaced), for the audit trail. */
export const CLIENT_IP_HEADER = 'x-kiln-client-ip';

const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_WAIT_MS = 15 * 60_000;

export type LimitObserver = { rateLimited(group: string, reason: 'ip' | 'account'): void };

type Pending = { endpoint: CredentialEndpoint; account?: string };

const accountKey = (email: string, ip: string) => createHash('sha256').update(`${email.trim().toLowerCase()}\n${ip}`).digest('base64url');

function emailIn(body: unknown): string | undefined {
  let value: unknown = body;
  if (Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  const email = value && typeof value === 'object' ? (value as Record<string, unknown>).email : undefined;
  return typeof email === 'string' && email.length > 0 && email.length <= 320 ? email : undefined;
}

/** The wait before the next attempt after `failures` failures (0 while under the threshold). */
export function slowDownMs(failures: number, after: number): number {
  if (after === 0 || failures < after) return 0;
  return Math.min(1000 * 2 ** (failures - after), MAX_WAIT_MS);
}

function tooMany(req: FastifyRequest, reply: FastifyReply, waitMs: number): FastifyReply {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send({ type: 'urn:kiln:problem:rate-limited', title: 'Too many requests', status: 429, detail: `Too many attempts; try again in ${seconds} seconds`, instance: req.url.split('?')[0] });
}

export type CredentialGuard = { readonly counters: CounterStore; close(): Promise<void> };

/** Installs the limits on `app` (call before any route is registered); `prefix` keeps apps sharing one Redis apart. */
export async function credentialGuard(app: FastifyInstance, o: { config: AbuseConfig; prefix: string; observer?: LimitObserver }): Promise<CredentialGuard> {
  const { config } = o;
  const counters: CounterStore = config.redisUrl ? await RedisCounters.open(config.redisUrl, `kiln:${o.prefix}:limits:`) : new MemoryCounters();
  const windowMs = config.windowSeconds * 1000;
  const pending = new WeakMap<FastifyRequest, Pending>();

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/api/auth/')) req.headers[CLIENT_IP_HEADER] = req.ip;
    const endpoint = credentialEndpoint(req.method, req.url);
    if (!endpoint) return;
    pending.set(req, { endpoint });
    if (config.perIp === 0) return;
    const c = await counters.hit(`ip:${endpoint.group}:${req.ip}`, windowMs);
    if (c.count > config.perIp * endpoint.weight) {
      o.observer?.rateLimited(endpoint.group, 'ip');
      return tooMany(req, reply, c.resetMs);
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const p = pending.get(req);
    if (!p?.endpoint.account || config.slowDownAfter === 0) return;
    const email = emailIn(req.body);
    if (!email) return;
    p.account = accountKey(email, req.ip);
    const wait = await counters.peek(`wait:${p.account}`);
    if (wait.count > 0) {
      o.observer?.rateLimited(p.endpoint.group, 'account');
      return tooMany(req, reply, wait.resetMs);
    }
  });

  // Before the answer leaves (onSend, not onResponse): a client that fires its next guess the moment
  // it reads a 401 must already find the failure counted, in Redis too.
  app.addHook('onSend', async (req, reply, payload) => {
    const p = pending.get(req);
    if (!p?.account || !p.endpoint.passwordCheck) return payload;
    const status = reply.statusCode;
    if (status === 401) {
      const failures = await counters.hit(`fail:${p.account}`, FAILURE_WINDOW_MS);
      const wait = slowDownMs(failures.count, config.slowDownAfter);
      if (wait > 0) {
        await counters.clear(`wait:${p.account}`);
        await counters.hit(`wait:${p.account}`, wait);
      }
    } else if (status >= 200 && status < 400) {
      await counters.clear(`fail:${p.account}`);
    }
    return payload;
  });

  return { counters, close: () => counters.close() };
}
