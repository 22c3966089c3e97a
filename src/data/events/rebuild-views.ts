// Rebuilds every content table (working and published views, and the search index) from the event
// log alone, in one transaction: the views are emptied and each item's latest recorded state is
// written back. Foreign keys are checked at commit, so the order of collections does not matter.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { TENANT_COLUMN, type AppModel, type CollectionModel, type View } from '../model.ts';
import { LIVE_EVENTS, WORKING_EVENTS, latestStates } from './event-log.ts';
import { reindex } from '../search/search-docs.ts';

export type RebuildReport = { collections: { collection: string; items: number; published?: number }[] };

export async function rebuildViews(driver: StorageDriver, model: AppModel, onProgress?: (collection: string, items: number) => void): Promise<RebuildReport> {
  const report: RebuildReport = { collections: [] };
  const views = [...model.collections.values()].flatMap((cm) => (cm.live ? [cm.working, cm.live] : [cm.working]));
  const tables = views.flatMap((v) => [...v.joins.values(), v.table]);
  await driver.db.transaction().execute(async (trx) => {
    if (driver.dialect === 'postgres') {
      await sql`set constraints all deferred`.execute(trx);
      await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
    } else {
      await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
      for (const t of tables) await trx.deleteFrom(t).execute();
    }
    for (const cm of model.collections.values()) {
      const items = await writeView(trx, driver, model, cm, cm.working, (n) => onProgress?.(cm.name, n));
      const published = cm.live ? await writeView(trx, driver, model, cm, cm.live) : undefined;
      report.collections.push({ collection: cm.name, items, ...(published !== undefined && { published }) });
    }
    await reindex(trx, driver, model);
  });
  return report;
}

async function writeView(trx: AnyDB, driver: StorageDriver, model: AppModel, cm: CollectionModel, view: View, onProgress?: (n: number) => void): Promise<number> {
  let items = 0;
  for await (const batch of latestStates(trx, driver, cm.name, view.kind === 'live' ? LIVE_EVENTS : WORKING_EVENTS)) {
    const rows: Record<string, unknown>[] = [];
    const links = new Map<string, Record<string, unknown>[]>();
    for (const e of batch) {
      if (e.data === null) continue;
      const d = e.data;
      const row: Record<string, unknown> = {
        id: e.itemId,
        [TENANT_COLUMN]: e.tenantId,
        createdAt: driver.encodeTimestamp(d.createdAt as string),
        updatedAt: driver.encodeTimestamp(d.updatedAt as string),
        // States logged before items recorded their creator have none.
        createdBy: d.createdBy ?? null,
        updatedBy: d.updatedBy ?? null,
      };
      for (const fm of cm.columns) {
        const v = d[fm.name];
        row[fm.name] = v === null || v === undefined ? null : fm.encode(v);
      }
      for (const fm of cm.lists) {
        const jt = view.joins.get(fm.name)!;
        if (!links.has(jt)) links.set(jt, []);
        ((d[fm.name] as string[] | undefined) ?? []).forEach((target, position) => links.get(jt)!.push({ [TENANT_COLUMN]: e.tenantId, source: e.itemId, target, position }));
      }
      rows.push(row);
    }
    if (rows.length) await trx.insertInto(view.table).values(rows).execute();
    for (const fm of cm.lists) {
      const jt = view.joins.get(fm.name)!;
      let l = links.get(jt) ?? [];
      if (view.kind === 'live') l = await existing(trx, model.collections.get((fm.field as { to: string }).to)!, l);
      for (let i = 0; i < l.length; i += 500) await trx.insertInto(jt).values(l.slice(i, i + 500)).execute();
    }
    items += rows.length;
    onProgress?.(items);
  }
  return items;
}

/**
 * A published version keeps its links as they were, but a linked item deleted since then is gone
 * from it (the database cascaded the removal without a new publish event), so only links to items
 * that still exist are written back.
 */
async function existing(trx: AnyDB, target: CollectionModel, links: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  if (links.length === 0) return links;
  const ids = [...new Set(links.map((l) => l.target as string))];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx.selectFrom(target.table).select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    rows.forEach((r) => found.add(r.id as string));
  }
  return links.filter((l) => found.has(l.target as string));
}
