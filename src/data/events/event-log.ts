// The append-only event log. Every content change appends one event holding the item's full state
// after the change (or null for a delete) and its SHA-256, in the same transaction as the change;
// the content tables are views of this log and `rebuildViews` reproduces them from it alone.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../access.ts';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { SYSTEM_TABLES } from '../model.ts';

export type EventType = 'create' | 'update' | 'delete' | 'restore' | 'migrate' | 'migrate_live' | 'transition' | 'publish' | 'unpublish';

/** Events that change an item's working state, and those that change its published (live) state. */
export const WORKING_EVENTS: EventType[] = ['create', 'update', 'delete', 'restore', 'migrate', 'transition', 'publish'];
export const LIVE_EVENTS: EventType[] = ['publish', 'unpublish', 'delete', 'migrate_live'];

export type ContentEvent = {
  seq: number;
  tenantId: string;
  collection: string;
  itemId: string;
  revision: number;
  type: EventType;
  actor: string;
  at: string;
  data: Record<string, unknown> | null;
  hash: string;
};

export function actorName(actor: Actor): string {
  return actor.kind === 'user' ? `user:${actor.id}` : actor.kind;
}

/** A stable hash of an item state: keys sorted at every level, so equal content hashes equally. */
export function contentHash(data: unknown): string {
  return createHash('sha256').update(stableJson(data)).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

export async function createEventTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  const pg = driver.dialect === 'postgres';
  await trx.schema
    .createTable(SYSTEM_TABLES.events)
    .ifNotExists()
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('tenant', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('collection', 'text', (c) => c.notNull())
    .addColumn('item', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    // Revisions count per item, across collection renames: ids are unique across collections.
    .addUniqueConstraint('kiln_events_item_revision', ['item', 'revision'])
    .execute();
  await trx.schema.createIndex('kiln_events_tenant_seq').ifNotExists().on(SYSTEM_TABLES.events).columns(['tenant', 'seq']).execute();
  // The log is append-only: the database itself refuses to change or remove an event.
  if (pg) {
    await sql`create or replace function kiln_events_append_only() returns trigger language plpgsql as $$ begin raise exception 'kiln_events is append-only'; end $$`.execute(trx);
    await sql`drop trigger if exists kiln_events_append_only on kiln_events`.execute(trx);
    await sql`create trigger kiln_events_append_only before update or delete on kiln_events for each statement execute function kiln_events_append_only()`.execute(trx);
  } else {
    await sql`create trigger if not exists kiln_events_no_update before update on kiln_events begin select raise(abort, 'kiln_events is append-only'); end`.execute(trx);
    await sql`create trigger if not exists kiln_events_no_delete before delete on kiln_events begin select raise(abort, 'kiln_events is append-only'); end`.execute(trx);
  }
}

export type NewEvent = { tenantId: string; collection: string; itemId: string; type: EventType; actor: string; at: string; data: Record<string, unknown> | null };

/** Appends one event after the content row was written (whose lock orders concurrent writers) and returns its revision. */
export async function appendEvent(trx: AnyDB, driver: StorageDriver, e: NewEvent): Promise<number> {
  const last = await trx
    .selectFrom(SYSTEM_TABLES.events)
    .select((eb) => eb.fn.max('revision').as('r'))
    .where('item', '=', e.itemId)
    .executeTakeFirst();
  const revision = Number(last?.r ?? 0) + 1;
  await trx
    .insertInto(SYSTEM_TABLES.events)
    .values({
      tenant: e.tenantId,
      collection: e.collection,
      item: e.itemId,
      revision,
      type: e.type,
      actor: e.actor,
      at: driver.encodeTimestamp(e.at),
      data: e.data === null ? null : JSON.stringify(e.data),
      hash: contentHash(e.data),
    })
    .execute();
  return revision;
}

/** Appends many events for new items or a migration's copies, each as the next revision of its item. */
export async function appendEvents(trx: AnyDB, driver: StorageDriver, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const byCollection = new Map<string, NewEvent[]>();
  for (const e of events) {
    if (!byCollection.has(e.collection)) byCollection.set(e.collection, []);
    byCollection.get(e.collection)!.push(e);
  }
  for (const [collection, list] of byCollection) {
    const last = await trx
      .selectFrom(SYSTEM_TABLES.events)
      .select(['item', (eb) => eb.fn.max('revision').as('r')])
      .where('item', 'in', list.map((e) => e.itemId))
      .groupBy('item')
      .execute();
    const rev = new Map(last.map((r) => [r.item as string, Number(r.r)]));
    const rows = list.map((e) => ({
      tenant: e.tenantId,
      collection,
      item: e.itemId,
      revision: (rev.get(e.itemId) ?? 0) + 1,
      type: e.type,
      actor: e.actor,
      at: driver.encodeTimestamp(e.at),
      data: e.data === null ? null : JSON.stringify(e.data),
      hash: contentHash(e.data),
    }));
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto(SYSTEM_TABLES.events).values(rows.slice(i, i + 200)).execute();
  }
}

function toEvent(driver: StorageDriver, r: Record<string, unknown>): ContentEvent {
  return {
    seq: Number(r.seq),
    tenantId: r.tenant as string,
    collection: r.collection as string,
    itemId: r.item as string,
    revision: Number(r.revision),
    type: r.type as EventType,
    actor: r.actor as string,
    at: driver.decodeTimestamp(r.at),
    data: r.data === null ? null : (JSON.parse(r.data as string) as Record<string, unknown>),
    hash: r.hash as string,
  };
}

/** An item's whole history, also from before its collection was renamed. */
export async function itemEvents(db: AnyDB, driver: StorageDriver, tenantId: string, itemId: string): Promise<ContentEvent[]> {
  const rows = await db
    .selectFrom(SYSTEM_TABLES.events)
    .selectAll()
    .where('tenant', '=', tenantId)
    .where('item', '=', itemId)
    .orderBy('revision')
    .execute();
  return rows.map((r) => toEvent(driver, r));
}

/** The latest event of the given types for every item of a collection, in item order: the state a view must show. */
export async function* latestStates(db: AnyDB, driver: StorageDriver, collection: string, types: EventType[] = WORKING_EVENTS): AsyncGenerator<ContentEvent[]> {
  let after: string | undefined;
  for (;;) {
    let q = db
      .selectFrom(`${SYSTEM_TABLES.events} as e`)
      .selectAll('e')
      .where('e.collection', '=', collection)
      .where((eb) =>
        eb(
          'e.revision',
          '=',
          eb
            .selectFrom(`${SYSTEM_TABLES.events} as l`)
            .select((x) => x.fn.max('l.revision').as('m'))
            .whereRef('l.item', '=', 'e.item')
            .where('l.type', 'in', types),
        ),
      )
      .orderBy('e.item')
      .limit(500);
    if (after !== undefined) q = q.where('e.item', '>', after);
    const rows = await q.execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1].item as string;
    yield rows.map((r) => toEvent(driver, r));
  }
}
