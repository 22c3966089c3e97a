// The mail outbox: every message is a row first, and its delivery job is queued in the same
// transaction, so a message exists exactly when whatever caused it commits and survives an SMTP
// outage or a restart. Without SMTP the row is kept as "held" for the development mail viewer.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../../data/driver.ts';
import { newId } from '../../data/ids.ts';
import type { JobQueue } from '../../data/queue/job-queue.ts';
import type { Executor } from '../../data/read-items.ts';

export const MAIL_OUTBOX = 'kiln_mail_outbox';
export const DELIVER_MAIL = 'mail.deliver';

/** queued: waiting for (another) SMTP attempt · held: no SMTP configured · sent · failed: refused for good. */
export type MailStatus = 'queued' | 'held' | 'sent' | 'failed';

export type OutgoingMail = { kind: string; to: string; subject: string; text: string; html: string };

export type StoredMail = OutgoingMail & { id: string; status: MailStatus; attempts: number; lastError: string | null; createdAt: string; sentAt: string | null };

export type MailJob = { id: string };

export async function createMailOutboxTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  const ts = sql.raw(driver.timestampType);
  await trx.schema
    .createTable(MAIL_OUTBOX)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    // Emptied once sent: the bodies carry single-use links that need not outlive delivery.
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('lastError', 'text')
    .addColumn('createdAt', ts, (c) => c.notNull())
    .addColumn('sentAt', ts)
    .execute();
  await trx.schema.createIndex('kiln_mail_outbox_created').ifNotExists().on(MAIL_OUTBOX).columns(['createdAt', 'id']).execute();
}

export class MailOutbox {
  readonly #driver: StorageDriver;
  readonly #queue: JobQueue;
  /** False without SMTP: messages are held for the mail viewer instead of queued for delivery. */
  readonly delivering: boolean;

  constructor(driver: StorageDriver, queue: JobQueue, delivering: boolean) {
    this.#driver = driver;
    this.#queue = queue;
    this.delivering = delivering;
  }

  /** Adds a message, in the caller's transaction when one is given. */
  async enqueue(mail: OutgoingMail, trx?: Executor): Promise<string> {
    if (!trx) return this.#driver.db.transaction().execute((t) => this.enqueue(mail, t));
    const id = newId();
    await trx
      .insertInto(MAIL_OUTBOX)
      .values({
        id,
        kind: mail.kind,
        recipient: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        status: this.delivering ? 'queued' : 'held',
        attempts: 0,
        lastError: null,
        createdAt: this.#driver.encodeTimestamp(new Date().toISOString()),
        sentAt: null,
      })
      .execute();
    if (this.delivering) await this.#queue.enqueue(trx, { kind: DELIVER_MAIL, payload: { id } satisfies MailJob });
    return id;
  }

  /** Newest first. */
  async list(limit = 100): Promise<StoredMail[]> {
    const rows = await this.#driver.db.selectFrom(MAIL_OUTBOX).selectAll().orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => decodeMail(this.#driver, r));
  }

  async get(id: string): Promise<StoredMail | undefined> {
    const row = await this.#driver.db.selectFrom(MAIL_OUTBOX).selectAll().where('id', '=', id).executeTakeFirst();
    return row && decodeMail(this.#driver, row);
  }
}

export function decodeMail(driver: StorageDriver, r: Record<string, unknown>): StoredMail {
  return {
    id: r.id as string,
    kind: r.kind as string,
    to: r.recipient as string,
    subject: r.subject as string,
    text: r.text as string,
    html: r.html as string,
    status: r.status as MailStatus,
    attempts: Number(r.attempts),
    lastError: (r.lastError as string | null) ?? null,
    createdAt: driver.decodeTimestamp(r.createdAt),
    sentAt: r.sentAt === null || r.sentAt === undefined ? null : driver.decodeTimestamp(r.sentAt),
  };
}
