// Scheduled workflow transitions ("publish this at 9:00 tomorrow"). A schedule is a row plus a job
// queued in the same transaction with the schedule's time as its run time, so it survives restarts:
// a server that was down at that moment runs it when its worker starts. The transition runs as the
// caller who scheduled it, through the same checks as an immediate one.
import { sql } from 'kysely';
import type { Actor } from '../access.ts';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { DataError, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { SYSTEM_TABLES } from '../model.ts';
import type { JobHandler, JobQueue } from '../queue/job-queue.ts';
import type { Executor } from '../read-items.ts';

export const SCHEDULED_TRANSITION = 'workflow.scheduled';

export type Schedule = {
  id: string;
  collection: string;
  item: string;
  to: string;
  at: string;
  status: 'pending' | 'done' | 'cancelled' | 'failed';
  error: string | null;
  createdAt: string;
};

export async function createScheduleTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(SYSTEM_TABLES.schedules)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('tenant', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('item', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('at', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .execute();
  await trx.schema.createIndex('kiln_schedules_item').ifNotExists().on(SYSTEM_TABLES.schedules).columns(['tenant', 'collection', 'item']).execute();
}

function toSchedule(driver: StorageDriver, r: Record<string, unknown>): Schedule {
  return {
    id: r.id as string,
    collection: r.collection as string,
    item: r.item as string,
    to: r.to as string,
    at: driver.decodeTimestamp(r.at),
    status: r.status as Schedule['status'],
    error: (r.error as string | null) ?? null,
    createdAt: driver.decodeTimestamp(r.createdAt),
  };
}

export async function addSchedule(
  trx: Executor,
  driver: StorageDriver,
  queue: JobQueue,
  s: { tenantId: string; collection: string; item: string; to: string; at: string; actor: Actor },
): Promise<Schedule> {
  const id = newId();
  const now = new Date().toISOString();
  await trx
    .insertInto(SYSTEM_TABLES.schedules)
    .values({
      id,
      tenant: s.tenantId,
      collection: s.collection,
      item: s.item,
      to: s.to,
      at: driver.encodeTimestamp(s.at),
      actor: JSON.stringify(s.actor),
      status: 'pending',
      error: null,
      createdAt: driver.encodeTimestamp(now),
    })
    .execute();
  await queue.enqueue(trx, { kind: SCHEDULED_TRANSITION, payload: { schedule: id }, runAt: new Date(s.at) });
  return { id, collection: s.collection, item: s.item, to: s.to, at: s.at, status: 'pending', error: null, createdAt: now };
}

export async function listSchedules(db: AnyDB, driver: StorageDriver, tenantId: string, collection: string, item: string): Promise<Schedule[]> {
  const rows = await db.selectFrom(SYSTEM_TABLES.schedules).selectAll().where('tenant', '=', tenantId).where('collection', '=', collection).where('item', '=', item).orderBy('at').execute();
  return rows.map((r) => toSchedule(driver, r));
}

export async function cancelSchedule(db: AnyDB, driver: StorageDriver, tenantId: string, collection: string, item: string, id: string): Promise<Schedule> {
  const r = await db
    .updateTable(SYSTEM_TABLES.schedules)
    .set({ status: 'cancelled' })
    .where('tenant', '=', tenantId)
    .where('collection', '=', collection)
    .where('item', '=', item)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const row = await db.selectFrom(SYSTEM_TABLES.schedules).selectAll().where('tenant', '=', tenantId).where('item', '=', item).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`No schedule "${id}" for this item`);
  if (Number(r.numUpdatedRows) === 0) throw new DataError('conflict', `The schedule is already ${row.status as string}`);
  return toSchedule(driver, row);
}

/** The part of the store a scheduled run needs; the store passed in is the one currently served. */
export type Transitioner = {
  driver: StorageDriver;
  tenantSlug(tenantId: string): Promise<string>;
  transition(scope: { tenant: string; actor: Actor }, collection: string, id: string, to: string): Promise<unknown>;
};

/** Runs due schedules: each transition once, its outcome recorded on the schedule. */
export function scheduledTransitionHandler(current: () => Transitioner): JobHandler {
  return async (job) => {
    const store = current();
    const { driver } = store;
    const id = (job.payload as { schedule: string }).schedule;
    const row = await driver.db.selectFrom(SYSTEM_TABLES.schedules).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.status !== 'pending') return { status: 'done' };
    let status: Schedule['status'] = 'done';
    let error: string | null = null;
    try {
      const tenant = await store.tenantSlug(row.tenant as string);
      await store.transition({ tenant, actor: JSON.parse(row.actor as string) as Actor }, row.collection as string, row.item as string, row.to as string);
    } catch (e) {
      // A refused transition (the item moved on, was deleted, or the role changed) is an outcome, not a fault to retry.
      if (!(e instanceof DataError)) throw e;
      status = 'failed';
      error = e.errors.length ? `${e.message}: ${e.errors.map((x) => x.detail).join('; ')}` : e.message;
    }
    await driver.db.updateTable(SYSTEM_TABLES.schedules).set({ status, error }).where('id', '=', id).where('status', '=', 'pending').execute();
    return { status: 'done' };
  };
}
