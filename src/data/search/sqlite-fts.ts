// SQLite FTS5: a Porter-stemming index with prefix matching, ranked by BM25 with titles weighted
// above bodies. A plain table maps items to FTS rowids so an item's document can be replaced cheaply.
import { sql } from 'kysely';
import type { AnyDB } from '../driver.ts';
import { MARK_END, MARK_START, markSnippet, type SearchIndex } from './search-index.ts';

const FTS = 'kiln_search';
const DOCS = 'kiln_search_docs';

const matchQuery = (terms: string[]) => terms.map((t) => `"${t}"*`).join(' ');

export const sqliteSearch: SearchIndex = {
  async createTables(trx) {
    await sql`create virtual table if not exists ${sql.table(FTS)} using fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')`.execute(trx);
    await trx.schema
      .createTable(DOCS)
      .ifNotExists()
      .addColumn('rowid', 'integer', (c) => c.primaryKey())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('collection', 'text', (c) => c.notNull())
      .addColumn('item', 'text', (c) => c.notNull())
      .addColumn('view', 'text', (c) => c.notNull())
      .addUniqueConstraint('kiln_search_docs_item_view', ['item', 'view'])
      .execute();
    await trx.schema.createIndex('kiln_search_docs_scope').ifNotExists().on(DOCS).columns(['tenant', 'collection']).execute();
  },
  async put(trx, doc) {
    await this.remove(trx, doc.collection, doc.itemId, doc.view);
    const r = await trx.insertInto(DOCS).values({ tenant: doc.tenantId, collection: doc.collection, item: doc.itemId, view: doc.view }).executeTakeFirst();
    await trx.insertInto(FTS).values({ rowid: Number(r.insertId), title: doc.title, body: doc.body }).execute();
  },
  async remove(trx, _collection, itemId, view) {
    let q = trx.selectFrom(DOCS).select('rowid').where('item', '=', itemId);
    if (view) q = q.where('view', '=', view);
    for (const row of await q.execute()) {
      await trx.deleteFrom(FTS).where('rowid', '=', row.rowid).execute();
      await trx.deleteFrom(DOCS).where('rowid', '=', row.rowid).execute();
    }
  },
  async clear(trx, collections) {
    if (collections.length === 0) return;
    await sql`delete from ${sql.table(FTS)} where rowid in (select rowid from ${sql.table(DOCS)} where collection in (${sql.join(collections)}))`.execute(trx);
    await trx.deleteFrom(DOCS).where('collection', 'in', collections).execute();
  },
  matching(eb, idColumn, tenantId, collection, terms, view) {
    const hits = eb
      .selectFrom(DOCS)
      .select(`${DOCS}.item`)
      .where(`${DOCS}.tenant`, '=', tenantId)
      .where(`${DOCS}.collection`, '=', collection)
      .where(`${DOCS}.view`, '=', view)
      .where(`${DOCS}.rowid`, 'in', sql<number>`(select rowid from ${sql.table(FTS)} where ${sql.table(FTS)} match ${matchQuery(terms)})`);
    return eb(idColumn, 'in', hits);
  },
  async query(db: AnyDB, tenantId, scopes, terms, limit) {
    if (scopes.length === 0) return [];
    const rows = await sql<{ collection: string; item: string; rank: number; title: string; snippet: string }>`
      select d.collection, d.item, bm25(${sql.table(FTS)}, 4.0, 1.0) as rank,
             ${sql.table(FTS)}.title as title,
             snippet(${sql.table(FTS)}, -1, ${MARK_START}, ${MARK_END}, '…', 16) as snippet
        from ${sql.table(FTS)} join ${sql.table(DOCS)} d on d.rowid = ${sql.table(FTS)}.rowid
       where ${sql.table(FTS)} match ${matchQuery(terms)}
         and d.tenant = ${tenantId}
         and (${sql.join(scopes.map((x) => sql`(d.collection = ${x.collection} and d.view = ${x.view}${x.owned ? sql` and d.item in (select id from ${sql.table(x.owned.table)} where ${sql.ref('createdBy')} = ${x.owned.by})` : sql``})`), sql` or `)})
       order by rank limit ${limit}`.execute(db);
    // BM25 is lower-is-better in SQLite; the API reports higher-is-better.
    return rows.rows.map((r) => ({ collection: r.collection, id: r.item, rank: -r.rank, title: r.title, snippet: markSnippet(r.snippet) }));
  },
};
