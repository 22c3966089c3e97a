// Rebuilds every content table (and the search index) from the event log alone, in one transaction:
// the views are emptied and each item's latest recorded state is written back. Foreign keys are checked at commit, so the
// order in which collections are rebuilt does not matter.
import { sql } from 'kysely';
import type { StorageDriver } from '../driver.ts';
import { TENANT_COLUMN, type AppModel } from '../model.ts';
import { latestStates } from './event-log.ts';
import { reindex } from '../search/search-docs.ts';

export type RebuildReport = { collections: { collection: string; items: number }[] };

export async function rebuildViews(driver: StorageDriver, model: AppModel, onProgress?: (collection: string, items: number) => void): Promise<RebuildReport> {
  const report: RebuildReport = { collections: [] };
  const tables = [...model.collections.values()].flatMap((cm) => [...cm.lists.map((fm) => fm.joinTable!), cm.table]);
  await driver.db.transaction().execute(async (trx) => {
    if (driver.dialect === 'postgres') {
      await sql`set constraints all deferred`.execute(trx);
      await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
    } else {
      await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
      for (const t of tables) await trx.deleteFrom(t).execute();
    }
    for (const cm of model.collections.values()) {
      let items = 0;
      for await (const batch of latestStates(trx, driver, cm.name)) {
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
          };
          for (const fm of cm.columns) {
            const v = d[fm.name];
            row[fm.name] = v === null || v === undefined ? null : fm.encode(v);
          }
          for (const fm of cm.lists) {
            const targets = (d[fm.name] as string[] | undefined) ?? [];
            if (!links.has(fm.joinTable!)) links.set(fm.joinTable!, []);
            targets.forEach((target, position) => links.get(fm.joinTable!)!.push({ [TENANT_COLUMN]: e.tenantId, source: e.itemId, target, position }));
          }
          rows.push(row);
        }
        if (rows.length) await trx.insertInto(cm.table).values(rows).execute();
        for (const [jt, l] of links) for (let i = 0; i < l.length; i += 500) await trx.insertInto(jt).values(l.slice(i, i + 500)).execute();
        items += rows.length;
        onProgress?.(cm.name, items);
      }
      report.collections.push({ collection: cm.name, items });
    }
    await reindex(trx, driver, model);
  });
  return report;
}
