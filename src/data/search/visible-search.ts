// Search for a caller from whom some searchable fields are hidden. The full-text index holds one
// document per item and view with every searchable field in it, so matching it would reveal what a
// hidden field contains (an item found by its hidden email, a snippet quoting it). For such callers
// a collection is searched on its visible searchable columns alone: every word must occur in one of
// them (case-insensitive substring), and titles and snippets are cut from visible text only.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { TENANT_COLUMN, type CollectionModel, type View } from '../model.ts';
import { decodeRow } from '../read-items.ts';
import { searchableText } from './search-docs.ts';
import { MARK_END, MARK_START, markSnippet, type SearchHit } from './search-index.ts';

type EB = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const SNIPPET_CHARS = 160;

/** The searchable fields of a collection that the caller may see. */
export function visibleSearchable(cm: CollectionModel, hidden: ReadonlySet<string>): string[] {
  return [...cm.fields.values()].filter((fm) => fm.field.searchable && !hidden.has(fm.name)).map((fm) => fm.name);
}

/** Every term occurs in at least one of the visible columns. */
export function visibleMatch(eb: EB, driver: StorageDriver, table: string, columns: string[], terms: string[]): Expression<SqlBool> {
  if (columns.length === 0) return eb.lit(false);
  return eb.and(terms.map((t) => eb.or(columns.map((c) => driver.likeInsensitive(eb.ref(`${table}.${c}`), `%${escapeLike(t)}%`)))));
}

/** Hits in one collection from visible text only; ranked below full-text hits (rank 0), newest first. */
export async function visibleHits(
  db: AnyDB,
  driver: StorageDriver,
  cm: CollectionModel,
  view: View,
  tenantId: string,
  terms: string[],
  columns: string[],
  owner: string | undefined,
  limit: number,
): Promise<SearchHit[]> {
  const t = view.table;
  let q = db
    .selectFrom(t)
    .selectAll(t)
    .where(`${t}.${TENANT_COLUMN}`, '=', tenantId)
    .where((eb) => visibleMatch(eb as unknown as EB, driver, t, columns, terms));
  if (owner !== undefined) q = q.where(`${t}.createdBy`, '=', owner);
  const rows = await q.orderBy(`${t}.createdAt`, 'desc').orderBy(`${t}.id`, 'desc').limit(limit).execute();
  const titleName = cm.spec.titleField && columns.includes(cm.spec.titleField) ? cm.spec.titleField : columns[0];
  return rows.map((row) => {
    const item = decodeRow(cm, row, driver);
    const text = columns.map((c) => searchableText(cm, c, item)).filter(Boolean).join(' … ');
    return { collection: cm.name, id: item.id as string, rank: 0, title: searchableText(cm, titleName, item), snippet: snippet(text, terms) };
  });
}

function snippet(text: string, terms: string[]): string {
  const lower = text.toLowerCase();
  const first = Math.min(...terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0));
  const start = Number.isFinite(first) ? Math.max(0, first - SNIPPET_CHARS / 4) : 0;
  let part = text.slice(start, start + SNIPPET_CHARS);
  const pattern = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  part = part.replace(pattern, (m) => `${MARK_START}${m}${MARK_END}`);
  return markSnippet(`${start > 0 ? '…' : ''}${part}${start + SNIPPET_CHARS < text.length ? '…' : ''}`);
}
