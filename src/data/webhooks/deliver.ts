// One delivery attempt: POST the rendered body, signed with the subscription's active secrets and a
// fresh timestamp, and record the outcome in the delivery log. A 2xx answer is success; anything
// else (another status, a redirect, a network error, a timeout) is a failure, retried with backoff
// and jitter. A subscription whose deliveries keep failing is stopped, with the reason shown in the
// API, so a receiver that is gone does not get retried forever.
import { sql } from 'kysely';
import type { StorageDriver } from '../driver.ts';
import { backoffDelay } from '../queue/backoff.ts';
import type { Job, JobHandler, JobOutcome } from '../queue/job-queue.ts';
import type { DeliveryJob } from './enqueue.ts';
import { signatureHeader } from './signature.ts';
import { activeSecrets } from './subscriptions.ts';
import { WEBHOOK_TABLES } from './tables.ts';

export type DeliveryPolicy = {
  /** A receiver that has not answered by then has failed (default 10 s). */
  timeoutMs: number;
  /** Attempts of one message before it is given up (default 12). */
  maxAttempts: number;
  /** Backoff: the delay before attempt n+1 is drawn from [0, min(retryMaxDelayMs, retryBaseMs·2^(n-1))]. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /**
   * The subscription is stopped after this many failed attempts in a row (default 10), once the
   * failures have gone on for at least `failureWindowMs` (default 1 h), so that a burst of
   * deliveries during a short outage does not stop it.
   */
  failureLimit: number;
  failureWindowMs: number;
};

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  timeoutMs: 10_000,
  maxAttempts: 12,
  retryBaseMs: 1000,
  retryMaxDelayMs: 3_600_000,
  failureLimit: 10,
  failureWindowMs: 3_600_000,
};

const USER_AGENT = 'Kiln-Webhooks/1';

type Attempt = { ok: boolean; statusCode: number | null; durationMs: number; error: string | null; retryAfterMs?: number };

export function webhookDeliverer(driver: StorageDriver, policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY): JobHandler {
  const db = driver.db;
  const enc = (d: Date) => driver.encodeTimestamp(d.toISOString());

  const log = (trx: typeof db, p: DeliveryJob, job: Job, status: string, a: Partial<Attempt>, at: Date, nextAttemptAt: Date | null) =>
    trx
      .insertInto(WEBHOOK_TABLES.deliveries)
      .values({
        webhook: p.webhook,
        messageId: p.messageId,
        event: p.event,
        attempt: job.attempts,
        status,
        statusCode: a.statusCode ?? null,
        durationMs: a.durationMs ?? null,
        error: a.error ?? null,
        at: enc(at),
        nextAttemptAt: nextAttemptAt && enc(nextAttemptAt),
      })
      .execute();

  return async (job): Promise<JobOutcome> => {
    const p = job.payload as DeliveryJob;
    const sub = await db.selectFrom(WEBHOOK_TABLES.subscriptions).selectAll().where('id', '=', p.webhook).executeTakeFirst();
    // Deleted since the change: nothing to deliver to, and no log to write.
    if (!sub) return { status: 'done' };
    if (sub.disabledAt !== null) {
      await log(db, p, job, 'skipped', { error: `the subscription is stopped: ${sub.disabledReason as string}` }, new Date(), null);
      return { status: 'done' };
    }

    const a = await post(sub.url as string, p, activeSecrets(driver, sub, new Date()), policy.timeoutMs);
    const now = new Date();

    if (a.ok) {
      await db.transaction().execute(async (trx) => {
        await log(trx, p, job, 'succeeded', a, now, null);
        await trx.updateTable(WEBHOOK_TABLES.subscriptions).set({ consecutiveFailures: 0, failingSince: null }).where('id', '=', p.webhook).execute();
      });
      return { status: 'done' };
    }

    const error = a.error ?? `HTTP ${a.statusCode}`;
    return db.transaction().execute(async (trx): Promise<JobOutcome> => {
      const counted = await trx
        .updateTable(WEBHOOK_TABLES.subscriptions)
        .set((eb) => ({ consecutiveFailures: sql`${sql.ref('consecutiveFailures')} + 1`, failingSince: eb.fn.coalesce('failingSince', eb.val(enc(now))) }))
        .where('id', '=', p.webhook)
        .returning(['consecutiveFailures', 'failingSince', 'disabledAt'])
        .executeTakeFirst();
      // Deleted while the request was in flight.
      if (!counted) return { status: 'done' };
      const failures = Number(counted.consecutiveFailures);
      const failingFor = now.getTime() - Date.parse(driver.decodeTimestamp(counted.failingSince));
      if (counted.disabledAt === null && failures >= policy.failureLimit && failingFor >= policy.failureWindowMs) {
        const reason = `Stopped after ${failures} failed delivery attempts in a row; the last: ${error}`;
        await trx.updateTable(WEBHOOK_TABLES.subscriptions).set({ disabledAt: enc(now), disabledReason: reason, updatedAt: enc(now) }).where('id', '=', p.webhook).execute();
        await log(trx, p, job, 'failed', a, now, null);
        return { status: 'dead', error: reason };
      }
      if (job.attempts >= policy.maxAttempts) {
        await log(trx, p, job, 'failed', a, now, null);
        return { status: 'dead', error: `Given up after ${job.attempts} attempts; the last: ${error}` };
      }
      const delay = Math.min(policy.retryMaxDelayMs, Math.max(backoffDelay(job.attempts, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxDelayMs }), a.retryAfterMs ?? 0));
      const next = new Date(now.getTime() + delay);
      await log(trx, p, job, 'failed', a, now, next);
      return { status: 'retry', at: next, error };
    });
  };
}

async function post(url: string, p: DeliveryJob, secrets: string[], timeoutMs: number): Promise<Attempt> {
  // The timestamp is the attempt's, not the change's: receivers refuse old timestamps to stop replays.
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': p.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(secrets, p.messageId, timestamp, p.body),
      },
      body: p.body,
      // A redirect could send the signed body somewhere the subscriber never named.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Only the status matters; dropping the body frees the connection.
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, durationMs: elapsed(), error: ok ? null : `HTTP ${res.status}`, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
  } catch (e) {
    return { ok: false, statusCode: null, durationMs: elapsed(), error: describe(e, timeoutMs) };
  }
}

/** Honors a receiver's Retry-After in seconds (429, 503), within the policy's maximum delay. */
function retryAfter(value: string | null): number | undefined {
  return value !== null && /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined;
}

function describe(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`.slice(0, 500);
  return (err?.message ?? String(e)).slice(0, 500);
}
