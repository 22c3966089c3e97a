// Full-text search behind one interface: SQLite FTS5 for the embedded default, tsvector with a GIN
// index on PostgreSQL. Documents are written in the same transaction as the content they index.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AnyDB } from '../driver.ts';

export type SearchEB = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;
export type SearchView = 'working' | 'live';
export type SearchDoc = { tenantId: string; collection: string; itemId: string; view: SearchView; title: string; body: string };
/** `owned`: only items of `table` whose creator is `by` (an "own" read rule). */
export type SearchScope = { collection: string; view: SearchView; owned?: { table: string; by: string } };
export type SearchHit = { collection: string; id: string; rank: number; title: string; snippet: string };

export interface SearchIndex {
  createTables(trx: AnyDB): Promise<void>;
  put(trx: AnyDB, doc: SearchDoc): Promise<void>;
  /** Removes an item's document from one view, or from every view. */
  remove(trx: AnyDB, collection: string, itemId: string, view?: SearchView): Promise<void>;
  clear(trx: AnyDB, collections: string[]): Promise<void>;
  /** `idColumn in (ids of this collection's items matching the terms)`, for `?search=` beside filters. */
  matching(eb: SearchEB, idColumn: string, tenantId: string, collection: string, terms: string[], view: SearchView): Expression<SqlBool>;
  /** Best matches across collections, best first, with highlighted snippets. */
  query(db: AnyDB, tenantId: string, scopes: SearchScope[], terms: string[], limit: number): Promise<SearchHit[]>;
}

export const MARK_START = '\u0001';
export const MARK_END = '\u0002';

/** Words of a search: letters and digits only, so no query syntax of either engine can be injected. */
export function searchTerms(q: string): string[] {
  return (q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16).map((t) => t.slice(0, 64));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** Plain text of a rich-text value: tags become spaces, common entities are decoded. */
export function plainText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e])
    .replace(/\s+/g, ' ')
    .trim();
}

/** A snippet with the engine's markers turned into <mark>, everything else HTML-escaped. */
export function markSnippet(raw: string): string {
  const escaped = raw.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return escaped.replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}
