// The embedded job queue: a table in the app's own database, so a job is enqueued in the same
// transaction as the change that causes it and survives a restart like any other row. A claimed
// job's `runAt` is moved to the end of its lease, so one index serves both "due" and "lease ran out".
// PostgreSQL workers (possibly in several processes) claim with FOR UPDATE SKIP LOCKED and never
// wait on each other; SQLite has one writer, so a claim is a plain read and a conditional update.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { newId } from '../ids.ts';
import type { Executor } from '../read-items.ts';
import type { Job, JobQueue, NewJob, QueueStats } from './job-queue.ts';

export const JOBS_TABLE = 'kiln_jobs';

export async function createJobTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(JOBS_TABLE)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // 'queued' (waiting, due, or leased) or 'dead'; finished jobs are deleted.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('runAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('leaseToken', 'text')
    .addColumn('lastError', 'text')
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .execute();
  await trx.schema.createIndex('kiln_jobs_due').ifNotExists().on(JOBS_TABLE).columns(['state', 'runAt']).execute();
}

export class DbQueue implements JobQueue {
  readonly #driver: StorageDriver;

  constructor(driver: StorageDriver) {
    this.#driver = driver;
  }

  #ts(d: Date): unknown {
    return this.#driver.encodeTimestamp(d.toISOString());
  }

  async enqueue(trx: Executor, job: NewJob): Promise<string> {
    const id = newId();
    const now = new Date();
    await trx
      .insertInto(JOBS_TABLE)
      .values({ id, kind: job.kind, payload: JSON.stringify(job.payload), state: 'queued', runAt: this.#ts(job.runAt ?? now), attempts: 0, leaseToken: null, lastError: null, createdAt: this.#ts(now) })
      .execute();
    return id;
  }

  async claim({ limit, leaseMs, kinds }: { limit: number; leaseMs: number; kinds: readonly string[] }): Promise<Job[]> {
    if (limit < 1 || kinds.length === 0) return [];
    const db = this.#driver.db;
    const now = new Date();
    const lease = randomUUID();
    const due = db
      .selectFrom(JOBS_TABLE)
      .select('id')
      .where('state', '=', 'queued')
      .where('runAt', '<=', this.#ts(now))
      .where('kind', 'in', kinds)
      .orderBy('runAt')
      .limit(limit);
    // The lease: runAt moves to its end, so the job is due again if this claim never completes it.
    const claimed = { leaseToken: lease, runAt: this.#ts(new Date(now.getTime() + leaseMs)), attempts: sql<number>`${sql.ref('attempts')} + 1` };
    let rows;
    if (this.#driver.dialect === 'postgres') {
      // Materialized, so the locking select runs once: inlined into the update, PostgreSQL may rescan
      // it, and each rescan would skip the rows just claimed and lock further ones past the limit.
      rows = await db
        .with((cte) => cte('due').materialized(), () => due.forUpdate().skipLocked())
        .updateTable(JOBS_TABLE)
        .set(claimed)
        .where('id', 'in', db.selectFrom('due').select('id'))
        .returning(['id', 'kind', 'payload', 'attempts'])
        .execute();
    } else {
      // A read takes no write lock, so an idle poll never blocks writers in other processes.
      const found = await due.execute();
      if (found.length === 0) return [];
      rows = await db
        .updateTable(JOBS_TABLE)
        .set(claimed)
        .where('id', 'in', found.map((r) => r.id as string))
        // Checked again: another process may have claimed a job between the read and this update.
        .where('state', '=', 'queued')
        .where('runAt', '<=', this.#ts(now))
        .returning(['id', 'kind', 'payload', 'attempts'])
        .execute();
    }
    return rows.map((r) => ({ id: r.id as string, kind: r.kind as string, payload: JSON.parse(r.payload as string), attempts: Number(r.attempts), lease }));
  }

  async complete(job: Job): Promise<boolean> {
    const r = await this.#driver.db.deleteFrom(JOBS_TABLE).where('id', '=', job.id).where('leaseToken', '=', job.lease).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async fail(job: Job, error: string, retryAt: Date | null): Promise<boolean> {
    const set: Record<string, unknown> = { leaseToken: null, lastError: error.slice(0, 2000), state: retryAt ? 'queued' : 'dead' };
    if (retryAt) set.runAt = this.#ts(retryAt);
    const r = await this.#driver.db.updateTable(JOBS_TABLE).set(set).where('id', '=', job.id).where('leaseToken', '=', job.lease).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async stats(): Promise<QueueStats> {
    const now = this.#ts(new Date());
    const row = await this.#driver.db
      .selectFrom(JOBS_TABLE)
      .select((eb) => [
        eb.fn.sum<number>(eb.case().when('state', '=', 'dead').then(1).else(0).end()).as('dead'),
        eb.fn.sum<number>(eb.case().when(eb.and([eb('state', '=', 'queued'), eb('leaseToken', 'is not', null), eb('runAt', '>', now)])).then(1).else(0).end()).as('running'),
        eb.fn.countAll<number>().as('total'),
      ])
      .executeTakeFirst();
    const dead = Number(row?.dead ?? 0);
    const running = Number(row?.running ?? 0);
    return { queued: Number(row?.total ?? 0) - dead - running, running, dead };
  }
}
