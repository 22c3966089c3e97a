// Fast, deterministic seeding of a fresh data dir for the load bench. Tenant, authors, categories
// and tags go through the store like any write (a few dozen items); the 10,000 articles and their
// tag links are bulk-inserted in one transaction with the store's own Kysely instance, encoding
// every value with the store's own field encoders, so the rows are exactly what Kiln would write:
// into the working view, and for the published ones (the workflow's publish state) into the
// published view that readers without edit rights see, as Kiln's publish step copies them.
// The rest is derived with Kiln's own functions: the search index is rebuilt for articles (working
// and published views), and the event log gets each article's create event (and publish event),
// holding the item as the store reads it back.
import { join } from 'node:path';
import type { Actor } from '../src/data/access.ts';
import { actorName, appendEvents } from '../src/data/events/event-log.ts';
import { newId } from '../src/data/ids.ts';
import { TENANT_COLUMN } from '../src/data/model.ts';
import { openDriver } from '../src/data/open-driver.ts';
import type { Item } from '../src/data/read-items.ts';
import { reindex } from '../src/data/search/search-docs.ts';
import { Store } from '../src/data/store.ts';
import { toSlug } from '../src/spec/values.ts';
import { dbFileName, magazineSpec } from './spec.ts';

export const BENCH_TENANT = 'bench';

export type Seeded = {
  dataDir: string;
  dbFile: string;
  tenant: string;
  tenantId: string;
  articleIds: string[];
  /** The articles an anonymous reader sees: the published ones when articles have a workflow. */
  readableIds: string[];
  /** The tables an anonymous reader's article reads use (the published view's, or the working ones), and that view's search documents. */
  readTables: { articles: string; tagLinks: string; searchView: 'live' | 'working' };
  authorIds: string[];
  categoryIds: string[];
  tagIds: string[];
  /** The rarer words searches look for, most frequent first, with how many articles (all, and readable) hold each. */
  searchWords: { word: string; articles: number; readable: number }[];
  seconds: number;
};

export type SeedOptions = { articles?: number; authors?: number; categories?: number; tags?: number };

const ROOT: Actor = { kind: 'root' };

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'kiln clay glaze fire ash stone river north quiet signal engine paper window harbor orbit garden ' +
  'lantern copper meadow atlas canvas thread summit echo ember frost prism cedar delta falcon'
).split(' ');

// Every article's text is drawn from WORDS, so each of them is in nearly every article: a search for
// one matches the whole collection, which is no reader's search. Half the articles also mention one
// of these topics, with Zipf-like frequencies (the first in about 1,200 articles, the rarest in 20
// to 30), so searches match a dozen to several hundred articles, as on a real site. None is a
// prefix of another word in the text, since searches match prefixes.
export const TOPICS = (
  'aurora basalt cobalt dune fjord geyser heron juniper kestrel lagoon magma nebula obsidian quartz ' +
  'raven saffron tundra umber velvet willow yarrow zephyr birch coral dahlia fennel granite hazel ' +
  'indigo jasper kelp lotus marble nutmeg opal pine rosemary sorrel tamarind walnut'
).split(' ');

export async function seed(dataDir: string, options: SeedOptions = {}): Promise<Seeded> {
  const started = performance.now();
  const counts = { articles: 10_000, authors: 12, categories: 8, tags: 30, ...options };
  const spec = magazineSpec();
  const driver = openDriver({ dataDir, appName: spec.name });
  const store = await Store.open(driver, spec);
  const rnd = prng(0x6b696c6e);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  // Topics come from a PRNG of their own, so every other value is the same as without them.
  const topicRnd = prng(0x746f7063);
  const zipf = TOPICS.map((_, k) => 1 / (k + 1));
  const zipfTotal = zipf.reduce((a, b) => a + b, 0);
  const topic = (): string | undefined => {
    if (topicRnd() >= 0.5) return undefined;
    let x = topicRnd() * zipfTotal;
    for (let k = 0; k < TOPICS.length; k++) if ((x -= zipf[k]) < 0) return TOPICS[k];
    return TOPICS[TOPICS.length - 1];
  };
  try {
    const tenant = await store.createTenant(ROOT, { slug: BENCH_TENANT, name: 'Bench Weekly' });
    const scope = { tenant: BENCH_TENANT, actor: ROOT };

    // The small collections, through the store (validation, slugs, read-back: a few dozen writes).
    const authorIds: string[] = [];
    for (let i = 0; i < counts.authors; i++) {
      const a = await store.create(scope, 'authors', {
        name: `Author ${i} ${words(1)}`,
        email: `author${i}@bench.example`,
        bio: words(24),
        website: `https://bench.example/authors/${i}`,
      });
      authorIds.push(a.id as string);
    }
    const categoryIds: string[] = [];
    for (let i = 0; i < counts.categories; i++) {
      const c = await store.create(scope, 'categories', { name: `Category ${i} ${words(1)}`, parent: i > 2 ? categoryIds[i % 3] : null });
      categoryIds.push(c.id as string);
    }
    const tagIds: string[] = [];
    for (let i = 0; i < counts.tags; i++) {
      const t = await store.create(scope, 'tags', { name: `tag ${i} ${words(1)}` });
      tagIds.push(t.id as string);
    }

    // The articles, in bulk: canonical values encoded with the store's own field encoders.
    const cm = store.model.collections.get('articles')!;
    const enc = (field: string, v: unknown) => (v === null ? null : cm.fields.get(field)!.encode(v));
    const linkTable = cm.working.joins.get('tags')!;
    const live = cm.live;
    const isPublished = (row: Record<string, unknown>) => live !== undefined && row[live.workflow.field] === enc(live.workflow.field, live.workflow.publish);
    const yearAgo = Date.parse('2025-01-01T00:00:00.000Z');
    const step = Math.floor((365 * 24 * 3600 * 1000) / counts.articles);
    const articleIds: string[] = [];
    const rows: Record<string, unknown>[] = [];
    const links: Record<string, unknown>[] = [];
    const topicOf = new Map<string, string>();
    for (let i = 0; i < counts.articles; i++) {
      const created = yearAgo + i * step + Math.floor(rnd() * step);
      const id = newId(created);
      const iso = new Date(created).toISOString();
      const r = rnd();
      const status = r < 0.6 ? 'published' : r < 0.8 ? 'draft' : r < 0.9 ? 'in_review' : 'archived';
      const published = status === 'published' || status === 'archived';
      const title = `${words(3)} ${i}`.replace(/^./, (c) => c.toUpperCase());
      const views = published ? Math.floor(rnd() ** 3 * 20_000) : 0;
      // Drawn in the order they always were, so the main sequence (and every other value) is unchanged.
      const summary = `${words(20)}.`;
      const paragraphs = Array.from({ length: 4 }, () => words(30));
      const t = topic();
      if (t) {
        topicOf.set(id, t);
        paragraphs[1] += ` ${t}`;
      }
      rows.push({
        id,
        [TENANT_COLUMN]: tenant.id,
        createdAt: driver.encodeTimestamp(iso),
        updatedAt: driver.encodeTimestamp(iso),
        title: enc('title', title),
        slug: enc('slug', toSlug(title)),
        summary: enc('summary', summary),
        body: enc('body', paragraphs.map((p) => `<p>${p}.</p>`).join('')),
        status: enc('status', status),
        publishedAt: enc('publishedAt', published ? new Date(created + 3600_000).toISOString() : null),
        readingMinutes: enc('readingMinutes', 1 + Math.floor(rnd() * 30)),
        views: enc('views', views),
        price: enc('price', rnd() < 0.3 ? `${Math.floor(rnd() * 50)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}` : null),
        featured: enc('featured', rnd() < 0.1),
        cover: enc('cover', rnd() < 0.5 ? `https://cdn.bench.example/covers/${i}.jpg` : null),
        metadata: enc('metadata', rnd() < 0.5 ? { source: 'bench', words: 100 + Math.floor(rnd() * 2000) } : null),
        author: enc('author', pick(authorIds)),
        category: enc('category', rnd() < 0.9 ? pick(categoryIds) : null),
      });
      const n = Math.floor(rnd() * 5); // 0 to 4 tags, distinct, in order
      const chosen = new Set<string>();
      while (chosen.size < n) chosen.add(pick(tagIds));
      [...chosen].forEach((target, position) => links.push({ [TENANT_COLUMN]: tenant.id, source: id, target, position }));
      articleIds.push(id);
    }
    const publishedRows = rows.filter(isPublished);
    const publishedIds = new Set(publishedRows.map((r) => r.id as string));
    const publishedLinks = links.filter((l) => publishedIds.has(l.source as string));
    // 18 columns x 500 rows stays well under SQLite's 32,766 bound parameters per statement.
    const CHUNK = 500;
    const insert = async (trx: typeof driver.db, table: string, values: Record<string, unknown>[], chunk: number) => {
      for (let i = 0; i < values.length; i += chunk) await trx.insertInto(table).values(values.slice(i, i + chunk)).execute();
    };
    await driver.db.transaction().execute(async (trx) => {
      await insert(trx, cm.working.table, rows, CHUNK);
      await insert(trx, linkTable, links, CHUNK * 4);
      if (live) {
        await insert(trx, live.table, publishedRows, CHUNK);
        await insert(trx, live.joins.get('tags')!, publishedLinks, CHUNK * 4);
      }
    });

    // Derived data, with Kiln's own functions: the search index (both views), then the event log.
    await driver.db.transaction().execute((trx) => reindex(trx, driver, store.model, [cm.name]));
    const items: Item[] = [];
    for (let cursor: string | null = null; ; ) {
      const page = await store.list(scope, cm.name, { limit: '200', sort: 'id', ...(cursor && { cursor }) });
      items.push(...page.data);
      cursor = page.meta.next_cursor;
      if (!cursor) break;
    }
    if (items.length !== rows.length) throw new Error(`seed: the store reads back ${items.length} articles, not ${rows.length}`);
    const event = (type: 'create' | 'publish', data: Item) => ({ tenantId: tenant.id, collection: cm.name, itemId: data.id as string, type, actor: actorName(ROOT), at: data.createdAt as string, data });
    await driver.db.transaction().execute(async (trx) => {
      await appendEvents(trx, driver, items.map((data) => event('create', data)));
      // A second batch, so each publish event is its item's next revision.
      await appendEvents(trx, driver, items.filter((data) => publishedIds.has(data.id as string)).map((data) => event('publish', data)));
    });
    const readable = live ? articleIds.filter((id) => publishedIds.has(id)) : articleIds;
    const readableSet = new Set(readable);
    const searchWords = TOPICS.map((word) => ({ word, articles: 0, readable: 0 }));
    for (const [id, t] of topicOf) {
      const w = searchWords[TOPICS.indexOf(t)];
      w.articles++;
      if (readableSet.has(id)) w.readable++;
    }
    const view = live ?? cm.working;
    return {
      dataDir,
      dbFile: join(dataDir, dbFileName(spec)),
      tenant: BENCH_TENANT,
      tenantId: tenant.id,
      articleIds,
      readableIds: readable,
      readTables: { articles: view.table, tagLinks: view.joins.get('tags')!, searchView: view.kind },
      authorIds,
      categoryIds,
      tagIds,
      searchWords,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    // Closing the last connection checkpoints the WAL into the main file, so the file can be copied.
    await store.close();
  }
}
