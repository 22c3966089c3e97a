// PostgreSQL full-text search: an English tsvector (title weighted A, body B) generated from the
// stored text, a GIN index, prefix matching through `term:*`, ranked by ts_rank_cd.
import { sql } from 'kysely';
import type { AnyDB } from '../driver.ts';
import { MARK_END, MARK_START, markSnippet, type SearchIndex } from './search-index.ts';

const T = 'kiln_search';

// Terms are letters and digits only (searchTerms), so this text is a well-formed tsquery.
const tsquery = (terms: string[]) => terms.map((t) => `${t}:*`).join(' & ');

export const postgresSearch: SearchIndex = {
  async createTables(trx) {
    await sql`create table if not exists ${sql.table(T)} (
      item uuid not null,
      view text not null,
      tenant uuid not null,
      collection text not null,
      title text not null,
      body text not null,
      tsv tsvector generated always as (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')) stored,
      primary key (item, view)
    )`.execute(trx);
    await sql`create index if not exists kiln_search_tsv on ${sql.table(T)} using gin (tsv)`.execute(trx);
    await sql`create index if not exists kiln_search_scope on ${sql.table(T)} (tenant, collection)`.execute(trx);
  },
  async put(trx, doc) {
    await trx
      .insertInto(T)
      .values({ item: doc.itemId, view: doc.view, tenant: doc.tenantId, collection: doc.collection, title: doc.title, body: doc.body })
      .onConflict((oc) => oc.columns(['item', 'view']).doUpdateSet({ title: doc.title, body: doc.body, collection: doc.collection }))
      .execute();
  },
  async remove(trx, _collection, itemId, view) {
    let q = trx.deleteFrom(T).where('item', '=', itemId);
    if (view) q = q.where('view', '=', view);
    await q.execute();
  },
  async clear(trx, collections) {
    if (collections.length) await trx.deleteFrom(T).where('collection', 'in', collections).execute();
  },
  matching(eb, idColumn, tenantId, collection, terms, view) {
    const hits = eb
      .selectFrom(T)
      .select(`${T}.item`)
      .where(`${T}.tenant`, '=', tenantId)
      .where(`${T}.collection`, '=', collection)
      .where(`${T}.view`, '=', view)
      .where(sql<boolean>`${sql.ref(`${T}.tsv`)} @@ to_tsquery('english', ${tsquery(terms)})`);
    return eb(idColumn, 'in', hits);
  },
  async query(db: AnyDB, tenantId, scopes, terms, limit) {
    if (scopes.length === 0) return [];
    const rows = await sql<{ collection: string; item: string; rank: number; title: string; snippet: string }>`
      select s.collection, s.item, ts_rank_cd(s.tsv, q) as rank, s.title,
             ts_headline('english', s.title || ' ' || s.body, q, ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "`}) as snippet
        from ${sql.table(T)} s, to_tsquery('english', ${tsquery(terms)}) q
       where s.tsv @@ q and s.tenant = ${tenantId}
         and (${sql.join(scopes.map((x) => sql`(s.collection = ${x.collection} and s.view = ${x.view}${x.owned ? sql` and s.item in (select id from ${sql.table(x.owned.table)} where ${sql.ref('createdBy')} = ${x.owned.by})` : sql``})`), sql` or `)})
       order by rank desc, s.item limit ${limit}`.execute(db);
    return rows.rows.map((r) => ({ collection: r.collection, id: r.item, rank: Number(r.rank), title: r.title, snippet: markSnippet(r.snippet) }));
  },
};
