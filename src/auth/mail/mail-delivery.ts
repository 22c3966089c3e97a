// Sends outbox messages through SMTP (nodemailer) from the durable queue. A message whose server is
// unreachable or answers with a temporary (4xx) error is retried with backoff for as long as it
// takes, so an SMTP outage delays mail but never loses it; only a permanent (5xx) refusal ends it,
// with the server's answer kept on the outbox row.
import nodemailer from 'nodemailer';
import type { StorageDriver } from '../../data/driver.ts';
import { backoffDelay } from '../../data/queue/backoff.ts';
import { DbQueue } from '../../data/queue/db-queue.ts';
import type { JobHandler, JobOutcome, JobQueue } from '../../data/queue/job-queue.ts';
import { startWorker, type Worker, type WorkerOptions } from '../../data/queue/worker.ts';
import type { MailConfig } from './mail-config.ts';
import { DELIVER_MAIL, MAIL_OUTBOX, type MailJob } from './outbox.ts';

export type MailSend = (mail: { from: string; to: string; subject: string; text: string; html: string }) => Promise<unknown>;

export type MailRetryPolicy = { retryBaseMs: number; retryMaxDelayMs: number };
export const DEFAULT_MAIL_RETRY: MailRetryPolicy = { retryBaseMs: 5_000, retryMaxDelayMs: 15 * 60_000 };

/** nodemailer over KILN_SMTP_URL, with timeouts well inside the job lease. */
export function smtpSender(smtpUrl: string): MailSend {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return (mail) => transport.sendMail(mail);
}

const permanent = (e: unknown) => {
  const code = (e as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
};

export function mailDeliverer(driver: StorageDriver, config: MailConfig, send: MailSend, policy: MailRetryPolicy = DEFAULT_MAIL_RETRY): JobHandler {
  const db = driver.db;
  return async (job): Promise<JobOutcome> => {
    const { id } = job.payload as MailJob;
    const row = await db.selectFrom(MAIL_OUTBOX).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.status === 'sent' || row.status === 'failed') return { status: 'done' };
    try {
      await send({ from: config.from, to: row.recipient as string, subject: row.subject as string, text: row.text as string, html: row.html as string });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const dead = permanent(e);
      await db
        .updateTable(MAIL_OUTBOX)
        .set({ attempts: job.attempts, lastError: error.slice(0, 2000), status: dead ? 'failed' : 'queued' })
        .where('id', '=', id)
        .execute();
      if (dead) return { status: 'dead', error };
      return { status: 'retry', at: new Date(Date.now() + backoffDelay(job.attempts, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxDelayMs })), error };
    }
    await db
      .updateTable(MAIL_OUTBOX)
      .set({ status: 'sent', attempts: job.attempts, lastError: null, text: '', html: '', sentAt: driver.encodeTimestamp(new Date().toISOString()) })
      .where('id', '=', id)
      .execute();
    return { status: 'done' };
  };
}

export type MailWorkerOptions = Partial<MailRetryPolicy> & Pick<WorkerOptions, 'concurrency' | 'pollMs' | 'onError'> & { queue?: JobQueue; send?: MailSend };

/** The worker `kiln start` runs beside the HTTP server when KILN_SMTP_URL is set. */
export function startMailWorker(driver: StorageDriver, config: MailConfig, options: MailWorkerOptions = {}): Worker {
  if (!config.smtpUrl && !options.send) throw new Error('the mail worker needs KILN_SMTP_URL');
  const { queue = new DbQueue(driver), send = smtpSender(config.smtpUrl!), concurrency = 2, pollMs, onError } = options;
  const policy = { retryBaseMs: options.retryBaseMs ?? DEFAULT_MAIL_RETRY.retryBaseMs, retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULT_MAIL_RETRY.retryMaxDelayMs };
  return startWorker({ queue, handlers: { [DELIVER_MAIL]: mailDeliverer(driver, config, send, policy) }, concurrency, pollMs, onError, leaseMs: 120_000 });
}
