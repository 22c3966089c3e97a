// Bench child: the raw baseline. Only node:http and node:sqlite, on the same database file with the
// same pragmas as Kiln's SQLite driver, running the same SQL Kiln runs for each bench case (the
// statement texts below are the ones Kiln's Kysely queries compile to) and writing the same JSON.
// It does what a careful hand-written endpoint does and nothing more: no validation beyond what
// keeps it from crashing, no access rules, no schemas. Anonymous article reads use the tables Kiln
// serves readers from (the published view when articles have a workflow) and that view's search
// documents; creates write drafts to the working tables, with the event-log row and the search
// document Kiln writes in the same transaction. Env: BENCH_DB_FILE, BENCH_ROOT_TOKEN,
// BENCH_READ_ARTICLES, BENCH_READ_TAG_LINKS, BENCH_READ_VIEW.
import { createHash, randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { requireEnv, serveAsChild } from './child.ts';

type Row = Record<string, SQLOutputValue>;
type Item = Record<string, unknown>;

const db = new DatabaseSync(requireEnv('BENCH_DB_FILE'), { enableForeignKeyConstraints: true, timeout: 5000 });
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA foreign_keys = ON');
db.exec('PRAGMA temp_store = MEMORY');
db.exec('PRAGMA cache_size = -65536');
const AUTH = `Bearer ${requireEnv('BENCH_ROOT_TOKEN')}`;
/** Table names come from the bench, never from a request. */
const name = (env: string) => {
  const v = requireEnv(env);
  if (!/^[a-z0-9_]+$/.test(v)) throw new Error(`${env} is not a table name: ${v}`);
  return v;
};
const ARTICLES = name('BENCH_READ_ARTICLES');
const TAG_LINKS = name('BENCH_READ_TAG_LINKS');
/** The search documents readers match against: those of the view the article tables belong to. */
const VIEW = requireEnv('BENCH_READ_VIEW');
if (VIEW !== 'live' && VIEW !== 'working') throw new Error(`BENCH_READ_VIEW must be live or working, not ${VIEW}`);

// ---- statements (prepared once; IN lists cached by arity) ----

const tenantBySlug = db.prepare('select "id" from "kiln_tenants" where "slug" = ?');
const A = `"${ARTICLES}"`;
const listLatest = db.prepare(
  `select ${A}.* from ${A} where ${A}."_tenant" = ? order by ${A}."publishedAt" desc nulls last, ${A}."id" desc limit ? offset ?`,
);
const listFiltered = db.prepare(
  `select ${A}.* from ${A} where ${A}."_tenant" = ? and (${A}."status" = ? and ${A}."views" > ?) order by ${A}."views" desc, ${A}."title" asc, ${A}."id" asc limit ? offset ?`,
);
// Search: article ids whose document in the readers' view matches, in the list's own order.
const listSearched = db.prepare(
  `select ${A}.* from ${A} where ${A}."_tenant" = ? and ${A}."id" in (select "kiln_search_docs"."item" from "kiln_search_docs" where "kiln_search_docs"."tenant" = ? and "kiln_search_docs"."collection" = ? and "kiln_search_docs"."view" = ? and "kiln_search_docs"."rowid" in (select rowid from "kiln_search" where "kiln_search" match ?)) order by ${A}."publishedAt" desc nulls last, ${A}."id" desc limit ? offset ?`,
);
// Ranked search across what an anonymous reader may read and is searchable: authors (no workflow,
// working view) and articles (the readers' view), best BM25 first with the title weighted 4 to 1.
const searchRanked = db.prepare(
  `select d.collection, d.item, bm25("kiln_search", 4.0, 1.0) as rank, "kiln_search".title as title, snippet("kiln_search", -1, ?, ?, '…', 16) as snippet from "kiln_search" join "kiln_search_docs" d on d.rowid = "kiln_search".rowid where "kiln_search" match ? and d.tenant = ? and ((d.collection = ? and d.view = ?) or (d.collection = ? and d.view = ?)) order by rank limit ?`,
);
const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');
function cached(make: (n: number) => string): (n: number) => StatementSync {
  const byArity = new Map<number, StatementSync>();
  return (n) => {
    let s = byArity.get(n);
    if (!s) byArity.set(n, (s = db.prepare(make(n))));
    return s;
  };
}
const articlesByIds = cached((n) => `select * from ${A} where "_tenant" = ? and "id" in (${inList(n)})`);
const tagLinks = cached((n) => `select "source", "target" from "${TAG_LINKS}" where "_tenant" = ? and "source" in (${inList(n)}) order by "source", "position"`);
const authorsByIds = cached((n) => `select * from "authors" where "_tenant" = ? and "id" in (${inList(n)})`);
const tagsByIds = cached((n) => `select * from "tags" where "_tenant" = ? and "id" in (${inList(n)})`);
const ARTICLE_COLUMNS = ['id', '_tenant', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'title', 'slug', 'summary', 'body', 'seoTitle', 'seoDescription', 'status', 'publishedAt', 'readingMinutes', 'views', 'price', 'featured', 'cover', 'metadata', 'author', 'category'];
const insertArticle = db.prepare(`insert into "articles" (${ARTICLE_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${inList(ARTICLE_COLUMNS.length)})`);
const insertLinks = cached((n) => `insert into "articles__tags" ("_tenant", "source", "target", "position") values ${Array.from({ length: n }, () => '(?, ?, ?, ?)').join(', ')}`);
const lastRevision = db.prepare('select max("revision") as "r" from "kiln_events" where "item" = ?');
const insertEvent = db.prepare('insert into "kiln_events" ("tenant", "collection", "item", "revision", "type", "actor", "at", "data", "hash") values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
const insertSearchDoc = db.prepare('insert into "kiln_search_docs" ("tenant", "collection", "item", "view") values (?, ?, ?, ?)');
const insertSearchText = db.prepare('insert into "kiln_search" ("rowid", "title", "body") values (?, ?, ?)');
const begin = db.prepare('begin immediate');
const commit = db.prepare('commit');
const rollback = db.prepare('rollback');

const tenants = new Map<string, string | undefined>();
function tenantId(slug: string): string | undefined {
  if (!tenants.has(slug)) tenants.set(slug, tenantBySlug.get(slug)?.id as string | undefined);
  return tenants.get(slug);
}

// ---- rows to items: the same shape and field order as Kiln's responses ----

const decimal = (scaled: number) => {
  const digits = String(Math.abs(scaled)).padStart(3, '0');
  return `${scaled < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

function article(r: Row): Item {
  return {
    id: r.id,
    title: r.title,
    slug: r.slug,
    summary: r.summary,
    body: r.body,
    seoTitle: r.seoTitle,
    seoDescription: r.seoDescription,
    status: r.status,
    publishedAt: r.publishedAt,
    readingMinutes: r.readingMinutes,
    views: r.views,
    price: r.price === null ? null : decimal(r.price as number),
    featured: r.featured === 1,
    cover: r.cover,
    metadata: r.metadata === null ? null : JSON.parse(r.metadata as string),
    author: r.author,
    category: r.category,
    tags: [] as unknown,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
  };
}
const author = (r: Row): Item => ({ id: r.id, name: r.name, email: r.email, bio: r.bio, website: r.website, avatar: r.avatar, createdAt: r.createdAt, updatedAt: r.updatedAt, createdBy: r.createdBy, updatedBy: r.updatedBy });
const tag = (r: Row): Item => ({ id: r.id, name: r.name, slug: r.slug, createdAt: r.createdAt, updatedAt: r.updatedAt, createdBy: r.createdBy, updatedBy: r.updatedBy });

function attachTags(tenant: string, items: Item[]) {
  if (items.length === 0) return;
  const bySource = new Map<string, string[]>();
  for (const l of tagLinks(items.length).all(tenant, ...items.map((i) => i.id as string))) {
    let list = bySource.get(l.source as string);
    if (!list) bySource.set(l.source as string, (list = []));
    list.push(l.target as string);
  }
  for (const i of items) i.tags = bySource.get(i.id as string) ?? [];
}

function byIds(stmt: (n: number) => StatementSync, tenant: string, ids: Set<string>, decode: (r: Row) => Item): Map<string, Item> {
  const out = new Map<string, Item>();
  if (ids.size === 0) return out;
  for (const r of stmt(ids.size).all(tenant, ...ids)) out.set(r.id as string, decode(r));
  return out;
}

const cursor = (s: string, v: unknown[]) => Buffer.from(JSON.stringify({ s, v })).toString('base64url');

// ---- search text: the same words, query string, plain text and snippet marks as Kiln ----

/** Letters and digits only, so no FTS5 query syntax can be injected; each word matches as a prefix. */
function matchQuery(text: string): string | undefined {
  const words = (text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16).map((t) => t.slice(0, 64));
  return words.length ? words.map((t) => `"${t}"*`).join(' ') : undefined;
}

const MARK_START = '\u0001';
const MARK_END = '\u0002';
const mark = (raw: string) => raw.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
const plainText = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e])
    .replace(/\s+/g, ' ')
    .trim();

/** The event's hash covers the item with keys sorted at every level, as Kiln's does, so equal content hashes equally. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

// ---- handlers ----

function list(tenant: string, q: URLSearchParams): unknown {
  const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 200);
  const filtered = q.has('filter[status][_eq]');
  const match = q.has('search') ? matchQuery(q.get('search')!) : undefined;
  if (q.has('search') && !match) return undefined;
  const rows = filtered
    ? listFiltered.all(tenant, q.get('filter[status][_eq]'), Number(q.get('filter[views][_gt]') ?? -1), limit + 1, 0)
    : match
      ? listSearched.all(tenant, tenant, 'articles', VIEW, match, limit + 1, 0)
      : listLatest.all(tenant, limit + 1, 0);
  const items = rows.slice(0, limit).map(article);
  const last = items.at(-1);
  const next = rows.length > limit && last ? (filtered ? cursor('-views,title,id', [last.views, last.title, last.id]) : cursor('-publishedAt,-id', [last.publishedAt, last.id])) : null;
  attachTags(tenant, items);
  if (q.get('expand') === 'author,tags') {
    const authors = byIds(authorsByIds, tenant, new Set(items.map((i) => i.author as string)), author);
    const tags = byIds(tagsByIds, tenant, new Set(items.flatMap((i) => i.tags as string[])), tag);
    for (const i of items) {
      i.author = authors.get(i.author as string) ?? null;
      i.tags = (i.tags as string[]).map((t) => tags.get(t)).filter(Boolean);
    }
  }
  return { data: items, meta: { next_cursor: next } };
}

function search(tenant: string, q: URLSearchParams): unknown {
  const match = matchQuery(q.get('q') ?? '');
  if (!match) return undefined;
  const limit = Math.min(Math.max(Number(q.get('limit') ?? 20) || 20, 1), 100);
  const rows = searchRanked.all(MARK_START, MARK_END, match, tenant, 'authors', 'working', 'articles', VIEW, limit);
  // BM25 is lower-is-better in SQLite; the API reports higher-is-better.
  return { data: rows.map((r) => ({ collection: r.collection, id: r.item, rank: -(r.rank as number), title: r.title, snippet: mark(r.snippet as string) })) };
}

function get(tenant: string, id: string): unknown {
  const row = articlesByIds(1).get(tenant, id);
  if (!row) return undefined;
  const item = article(row);
  attachTags(tenant, [item]);
  return { data: item };
}

const pool = new Uint8Array(16 * 256);
let poolAt = pool.length;
/** UUIDv7, as Kiln's ids: time-ordered, so inserts append to the primary-key index. */
function uuidv7(): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = pool.subarray(poolAt, (poolAt += 16));
  const now = Date.now();
  for (let i = 0, t = now; i < 6; i++) b[5 - i] = Math.floor(t / 256 ** i) % 256;
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const slugify = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

function create(tenant: string, body: Record<string, unknown>): unknown {
  if (typeof body?.title !== 'string' || typeof body.author !== 'string') return undefined;
  const now = new Date().toISOString();
  const tags = Array.isArray(body.tags) ? (body.tags as string[]) : [];
  const price = typeof body.price === 'string' ? body.price : null;
  const item: Item = {
    id: uuidv7(),
    title: body.title,
    slug: slugify(body.title),
    summary: body.summary ?? null,
    body: body.body ?? null,
    seoTitle: body.seoTitle ?? null,
    seoDescription: body.seoDescription ?? null,
    status: body.status ?? 'draft',
    publishedAt: body.publishedAt ?? null,
    readingMinutes: body.readingMinutes ?? null,
    views: body.views ?? 0,
    price,
    featured: body.featured === true,
    cover: body.cover ?? null,
    metadata: body.metadata ?? null,
    author: body.author,
    category: body.category ?? null,
    tags,
    createdAt: now,
    updatedAt: now,
    // The root token creates: no user or key to record.
    createdBy: null,
    updatedBy: null,
  };
  const row: Record<string, SQLInputValue> = { ...(item as Record<string, SQLInputValue>), _tenant: tenant, price: price === null ? null : Math.round(Number(price) * 100), featured: item.featured ? 1 : 0, metadata: item.metadata === null ? null : JSON.stringify(item.metadata) };
  const id = item.id as string;
  // The searchable fields: the title, then the others as plain text.
  const searchBody = [item.summary, item.body === null ? null : plainText(String(item.body))].filter(Boolean).join('\n');
  begin.run();
  try {
    insertArticle.run(...ARTICLE_COLUMNS.map((c) => row[c]));
    if (tags.length) insertLinks(tags.length).run(...tags.flatMap((t, i) => [tenant, id, t, i]));
    // Kiln reads the item's last revision for every event it appends, a new item's too: so does this.
    const revision = Number(lastRevision.get(id)?.r ?? 0) + 1;
    insertEvent.run(tenant, 'articles', id, revision, 'create', 'root', now, JSON.stringify(item), createHash('sha256').update(stableJson(item)).digest('hex'));
    const doc = insertSearchDoc.run(tenant, 'articles', id, 'working');
    insertSearchText.run(doc.lastInsertRowid, item.title as string, searchBody);
    commit.run();
  } catch (e) {
    rollback.run();
    throw e;
  }
  return { data: item };
}

// ---- HTTP ----

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const ROUTE = /^\/api\/t\/([a-z0-9-]+)\/(?:(search)|articles(?:\/([0-9a-f-]{36}))?)$/;

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const m = ROUTE.exec(url.pathname);
  const tenant = m && tenantId(m[1]);
  if (!m || !tenant) return send(res, 404, { title: 'Not found', status: 404 });
  if (req.method === 'GET') {
    if (m[2]) {
      const out = search(tenant, url.searchParams);
      return out ? send(res, 200, out) : send(res, 400, { title: 'Bad request', status: 400 });
    }
    if (m[3]) {
      const out = get(tenant, m[3]);
      return out ? send(res, 200, out) : send(res, 404, { title: 'Not found', status: 404 });
    }
    const out = list(tenant, url.searchParams);
    return out ? send(res, 200, out) : send(res, 400, { title: 'Bad request', status: 400 });
  }
  if (req.method === 'POST' && !m[2] && !m[3]) {
    if (req.headers.authorization !== AUTH) return send(res, 401, { title: 'Unauthenticated', status: 401 });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { title: 'Bad request', status: 400 });
    }
    const out = create(tenant, body) as { data: Item } | undefined;
    return out ? send(res, 201, out, { location: `${url.pathname}/${out.data.id as string}` }) : send(res, 400, { title: 'Bad request', status: 400 });
  }
  return send(res, 405, { title: 'Method not allowed', status: 405 });
}

serveAsChild('raw-server', async () => {
  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error & { code?: string }) => {
      const conflict = e.code === 'ERR_SQLITE_ERROR';
      if (!conflict) console.error('raw-server:', e);
      if (!res.headersSent) send(res, conflict ? 409 : 500, { title: e.message, status: conflict ? 409 : 500 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
});
