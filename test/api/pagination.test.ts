// Sorting (ascending, descending, nulls, ties), keyset cursors, offsets, limits and total_count.
// Every order is checked against an independent oracle computed here from the created items.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { assertProblem, create, createTenant, ids, list, type Item } from './helpers.ts';

/** The documented order: nulls first ascending and last descending, id breaking ties in the last key's direction. */
function oracle(items: Item[], sort: string): string[] {
  const keys = sort.split(',').map((k) => ({ field: k.replace(/^[-+]/, ''), desc: k.startsWith('-') }));
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', desc: keys[keys.length - 1].desc });
  const value = (field: string, v: unknown) => (field === 'price' ? Number(v) : typeof v === 'boolean' ? Number(v) : v) as number | string;
  const cmp = (x: Item, y: Item) => {
    for (const k of keys) {
      const a = x[k.field];
      const b = y[k.field];
      if (a === null && b === null) continue;
      if (a === null) return k.desc ? 1 : -1;
      if (b === null) return k.desc ? -1 : 1;
      const va = value(k.field, a);
      const vb = value(k.field, b);
      if (va === vb) continue;
      return (va < vb ? -1 : 1) * (k.desc ? -1 : 1);
    }
    return 0;
  };
  return ids([...items].sort(cmp));
}

for (const d of await drivers()) {
  describe(`pagination (${d})`, () => {
    let app: TestApp;
    const base = '/api/t/p/articles';
    const items: Item[] = [];
    const N = 23;

    /** Walks every page through meta.next_cursor and returns the ids in order. */
    async function walk(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
      const out: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list(app, `${base}?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        pages++;
        assert.ok(page.data.length <= limit);
        out.push(...ids(page.data));
        cursor = page.meta.next_cursor;
        if (cursor !== null) assert.equal(page.data.length, limit, 'only the last page may be short');
        assert.ok(pages <= N + 1, 'pagination does not end');
      } while (cursor !== null);
      return { ids: out, pages };
    }

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'p');
      const authors = [await create(app, 'p', 'authors', { name: 'One' }), await create(app, 'p', 'authors', { name: 'Two' })];
      for (let i = 0; i < N; i++) {
        items.push(
          await create(app, 'p', 'articles', {
            title: `t${String((i * 7) % N).padStart(2, '0')}`,
            status: ['draft', 'published', 'archived'][i % 3],
            views: i % 4,
            publishedAt: i % 5 === 0 ? null : `2026-01-0${(i % 6) + 1}T12:00:00Z`,
            price: i % 3 === 0 ? null : ((i % 4) * 2.5).toFixed(2),
            featured: i % 2 === 0,
            author: authors[i % 2].id,
          }),
        );
      }
      // Items of another tenant must never appear on these pages.
      await createTenant(app, 'p2');
      const other = await create(app, 'p2', 'authors', { name: 'One' });
      for (let i = 0; i < 3; i++) await create(app, 'p2', 'articles', { title: `t0${i}`, author: other.id, views: 1 });
    });
    after(() => app.close());

    it('sorts ascending and descending with nulls first going up and last going down', async () => {
      for (const sort of ['views', '-views', 'publishedAt', '-publishedAt', 'price', '-price', 'title', '-title', 'featured,-views', 'status,price,-title']) {
        const r = await list(app, `${base}?sort=${sort}&limit=200`);
        assert.deepEqual(ids(r.data), oracle(items, sort), `sort=${sort}`);
        assert.equal(r.meta.next_cursor, null);
      }
      const asc = await list(app, `${base}?sort=publishedAt&limit=200`);
      assert.equal(asc.data[0].publishedAt, null);
      const desc = await list(app, `${base}?sort=-publishedAt&limit=200`);
      assert.equal(desc.data[desc.data.length - 1].publishedAt, null);
      assert.notEqual(desc.data[0].publishedAt, null);
    });

    it('uses the collection\'s default sort (-publishedAt) and default limit (20)', async () => {
      const r = await list(app, base);
      assert.equal(r.data.length, 20);
      assert.deepEqual(ids(r.data), oracle(items, '-publishedAt').slice(0, 20));
      assert.equal(typeof r.meta.next_cursor, 'string');
      assert.equal('total_count' in r.meta, false);
      const rest = await list(app, `${base}?cursor=${r.meta.next_cursor}`);
      assert.deepEqual(ids(rest.data), oracle(items, '-publishedAt').slice(20));
      assert.equal(rest.meta.next_cursor, null);
    });

    for (const sort of ['-publishedAt', 'publishedAt', 'views,title', '-views', 'price', '-price,-publishedAt', 'featured,-views', 'title', '-createdAt', 'id', 'status,-price']) {
      it(`walks every page with sort=${sort}: no gaps, no duplicates, same order as offsets`, async () => {
        const expected = oracle(items, sort);
        for (const limit of [1, 4, 7]) {
          const { ids: got, pages } = await walk(`sort=${sort}`, limit);
          assert.equal(new Set(got).size, got.length, 'duplicates');
          assert.deepEqual(got, expected, `limit=${limit}`);
          assert.equal(pages, Math.ceil(N / limit));
        }
        const byOffset: string[] = [];
        for (let offset = 0; offset < N; offset += 4) byOffset.push(...ids((await list(app, `${base}?sort=${sort}&limit=4&offset=${offset}`)).data));
        assert.deepEqual(byOffset, expected);
      });
    }

    it('keeps a filter across cursor pages, and total_count counts the whole filtered set', async () => {
      const matching = items.filter((i) => i.views >= 1 && i.status !== 'draft');
      const expected = oracle(matching, '-price,-publishedAt');
      const got: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(app, `${base}?filter[views][_gte]=1&filter[status][_neq]=draft&sort=-price,-publishedAt&limit=3&meta=total_count${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.meta.total_count, matching.length);
        got.push(...ids(page.data));
        cursor = page.meta.next_cursor;
      } while (cursor);
      assert.deepEqual(got, expected);
    });

    it('walks pages sorted by a relation while expanding it and selecting fields', async () => {
      const { ids: got } = await walk('sort=author,-views&expand=author&fields=title,author.name', 5);
      assert.deepEqual(got, oracle(items, 'author,-views'));
      const page = await list(app, `${base}?sort=author,-views&expand=author&fields=title,author.name&limit=1`);
      assert.deepEqual(Object.keys(page.data[0]).sort(), ['author', 'id', 'title']);
      assert.deepEqual(Object.keys(page.data[0].author).sort(), ['id', 'name']);
    });

    it('offsets past the end give an empty page; offset and limit bounds hold', async () => {
      const r = await list(app, `${base}?sort=title&offset=20&limit=10`);
      assert.deepEqual(ids(r.data), oracle(items, 'title').slice(20));
      assert.equal(r.meta.next_cursor, null);
      const past = await list(app, `${base}?offset=1000`);
      assert.deepEqual(past.data, []);
      assert.equal(past.meta.next_cursor, null);
      assert.equal((await list(app, `${base}?limit=200`)).data.length, N);
      assert.equal((await list(app, `${base}?limit=1`)).data.length, 1);
      assertProblem(await app.api(`${base}?limit=201`), 400, 'limit');
      assertProblem(await app.api(`${base}?limit=0`), 400, 'limit');
    });

    it('total_count is the number of matching items, whatever the page', async () => {
      const all = await list(app, `${base}?meta=total_count&limit=2`);
      assert.equal(all.meta.total_count, N);
      assert.equal(all.data.length, 2);
      const published = items.filter((i) => i.status === 'published').length;
      const f = await list(app, `${base}?meta=total_count&filter[status][_eq]=published&limit=1`);
      assert.equal(f.meta.total_count, published);
      const none = await list(app, `${base}?meta=total_count&filter[title][_eq]=nothing`);
      assert.deepEqual(none, { data: [], meta: { next_cursor: null, total_count: 0 } });
    });

    it('refuses a cursor used with another sort, with an offset, or tampered with', async () => {
      const first = await list(app, `${base}?sort=title&limit=2`);
      const cursor = first.meta.next_cursor as string;
      assertProblem(await app.api(`${base}?sort=-title&limit=2&cursor=${cursor}`), 400, 'cursor');
      assertProblem(await app.api(`${base}?sort=views&limit=2&cursor=${cursor}`), 400, 'cursor');
      assertProblem(await app.api(`${base}?limit=2&cursor=${cursor}`), 400, 'cursor');
      assertProblem(await app.api(`${base}?sort=title&limit=2&offset=2&cursor=${cursor}`), 400, 'offset');
      assertProblem(await app.api(`${base}?sort=title&cursor=${cursor.slice(0, -3)}`), 400, 'cursor');
      const tampered = Buffer.from(JSON.stringify({ s: 'title,id', v: ['t01', 'not-an-id'] })).toString('base64url');
      assertProblem(await app.api(`${base}?sort=title&cursor=${tampered}`), 400, 'cursor');
      const short = Buffer.from(JSON.stringify({ s: 'title,id', v: ['t01'] })).toString('base64url');
      assertProblem(await app.api(`${base}?sort=title&cursor=${short}`), 400, 'cursor');
      // The same cursor with the same sort still works, with any limit.
      const next = await list(app, `${base}?sort=title&limit=3&cursor=${cursor}`);
      assert.deepEqual(ids(next.data), oracle(items, 'title').slice(2, 5));
    });

    it('refuses sorts that are not allowed', async () => {
      for (const sort of ['nope', 'metadata', 'tags', 'title,title', 'a,b,c,d,e,f', '-', ',']) {
        assertProblem(await app.api(`${base}?sort=${encodeURIComponent(sort)}`), 400, 'sort');
      }
    });
  });
}
