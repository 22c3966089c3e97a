// What of an item is searchable: the text of its `searchable` fields, the title field weighted
// above the rest. Kept current with every write, and rebuilt from the tables when they change.
import type { StorageDriver, AnyDB } from '../driver.ts';
import { TENANT_COLUMN, type AppModel, type CollectionModel } from '../model.ts';
import { decodeRow, type Item } from '../read-items.ts';
import { plainText, type SearchDoc, type SearchView } from './search-index.ts';

export function isSearchable(cm: CollectionModel): boolean {
  return [...cm.fields.values()].some((fm) => fm.field.searchable);
}

/** The searchable text of one field of an item. */
export function searchableText(cm: CollectionModel, name: string, item: Item): string {
  const v = item[name];
  if (v === null || v === undefined) return '';
  if (cm.fields.get(name)!.field.type === 'richtext') return plainText(String(v));
  return Array.isArray(v) ? v.join(' ') : String(v);
}

export function searchDoc(cm: CollectionModel, tenantId: string, item: Item, view: SearchView = 'working'): SearchDoc | undefined {
  const names = [...cm.fields.values()].filter((fm) => fm.field.searchable).map((fm) => fm.name);
  if (names.length === 0) return undefined;
  const titleName = cm.spec.titleField && names.includes(cm.spec.titleField) ? cm.spec.titleField : names[0];
  return {
    tenantId,
    collection: cm.name,
    itemId: item.id as string,
    view,
    title: searchableText(cm, titleName, item),
    body: names.filter((n) => n !== titleName).map((n) => searchableText(cm, n, item)).filter(Boolean).join('\n'),
  };
}

/** Rewrites the search documents of the given collections from their tables. */
export async function reindex(trx: AnyDB, driver: StorageDriver, model: AppModel, collections = [...model.collections.keys()]): Promise<void> {
  await driver.search.clear(trx, collections);
  for (const name of collections) {
    const cm = model.collections.get(name)!;
    if (!isSearchable(cm)) continue;
    for (const view of cm.live ? [cm.working, cm.live] : [cm.working]) {
      let after: string | undefined;
      for (;;) {
        let q = trx.selectFrom(view.table).selectAll().orderBy('id').limit(500);
        if (after !== undefined) q = q.where('id', '>', after);
        const rows = await q.execute();
        if (rows.length === 0) break;
        after = rows[rows.length - 1].id as string;
        for (const row of rows) {
          // Only the title and text fields are indexed, so links in join tables are not needed here.
          const doc = searchDoc(cm, row[TENANT_COLUMN] as string, decodeRow(cm, row, driver), view.kind);
          if (doc) await driver.search.put(trx, doc);
        }
      }
    }
  }
}
