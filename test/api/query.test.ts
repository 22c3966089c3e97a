// Filtering (every operator, JSON and bracket forms, relation paths), field selection and expansion.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { assertProblem, create, createTenant, list, type Item } from './helpers.ts';

for (const d of await drivers()) {
  describe(`query (${d})`, () => {
    let app: TestApp;
    const base = '/api/t/q/articles';
    const a: Record<string, Item> = {};
    const au: Record<string, Item> = {};
    const cat: Record<string, Item> = {};
    const tag: Record<string, Item> = {};

    /** Titles matched by a query string (sorted by title), after checking the answer is 200. */
    const titles = async (query: string) => (await list(app, `${base}?sort=title&limit=200&${query}`)).data.map((i) => i.title);
    const jsonFilter = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}`;

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'q');
      for (const name of ['Alice', 'Bob', 'Carol']) au[name] = await create(app, 'q', 'authors', { name });
      cat.news = await create(app, 'q', 'categories', { name: 'News' });
      cat.tech = await create(app, 'q', 'categories', { name: 'Tech', parent: cat.news.id });
      cat.web = await create(app, 'q', 'categories', { name: 'Web', parent: cat.tech.id });
      for (const name of ['js', 'ts', 'sql']) tag[name] = await create(app, 'q', 'tags', { name });
      const rows: [string, string, string | null, number, string | null, boolean, string, string | null, string[], string | null][] = [
        ['alpha', 'published', '2026-01-01T00:00:00Z', 10, '5.00', true, 'Alice', 'web', ['js', 'ts'], 'Intro to 100% JS'],
        ['bravo', 'published', '2026-01-02T00:00:00Z', 20, '12.50', false, 'Bob', 'tech', ['ts'], 'snake_case names'],
        ['charlie', 'draft', null, 0, null, false, 'Carol', null, [], null],
        ['delta', 'published', '2026-01-02T00:00:00Z', 5, '0.99', true, 'Alice', 'news', ['sql'], 'Databases'],
        ['echo', 'archived', '2025-12-31T23:59:59.999Z', 100, '100.00', false, 'Bob', 'web', ['js', 'sql'], 'ECHO chamber'],
        ['foxtrot', 'in_review', null, 7, '12.50', false, 'Alice', null, ['js'], 'snakecase'],
      ];
      for (const [title, status, publishedAt, views, price, featured, author, category, tags, summary] of rows) {
        a[title] = await create(app, 'q', 'articles', {
          title, status, publishedAt, views, price, featured, summary,
          author: au[author].id,
          category: category && cat[category].id,
          tags: tags.map((t) => tag[t].id),
        });
      }
      // Another tenant with look-alike data must never show up.
      await createTenant(app, 'elsewhere');
      const ghost = await create(app, 'elsewhere', 'authors', { name: 'Alice' });
      await create(app, 'elsewhere', 'articles', { title: 'alpha', status: 'published', views: 10, author: ghost.id });
    });
    after(() => app.close());

    it('_eq and _neq (which includes items without a value)', async () => {
      assert.deepEqual(await titles('filter[status][_eq]=published'), ['alpha', 'bravo', 'delta']);
      assert.deepEqual(await titles('filter[status]=draft'), ['charlie'], 'a bare value means _eq');
      assert.deepEqual(await titles('filter[status][_neq]=published'), ['charlie', 'echo', 'foxtrot']);
      assert.deepEqual(await titles('filter[price][_neq]=12.5'), ['alpha', 'charlie', 'delta', 'echo']);
      assert.deepEqual(await titles('filter[featured][_eq]=true'), ['alpha', 'delta']);
      assert.deepEqual(await titles(jsonFilter({ featured: { _eq: false } })), ['bravo', 'charlie', 'echo', 'foxtrot']);
      assert.deepEqual(await titles(`filter[author][_eq]=${au.Alice.id}`), ['alpha', 'delta', 'foxtrot']);
      assert.deepEqual(await titles(`filter[id][_eq]=${a.echo.id}`), ['echo']);
    });

    it('_lt, _lte, _gt, _gte on integers, decimals and datetimes', async () => {
      assert.deepEqual(await titles('filter[views][_lt]=7'), ['charlie', 'delta']);
      assert.deepEqual(await titles('filter[views][_lte]=7'), ['charlie', 'delta', 'foxtrot']);
      assert.deepEqual(await titles('filter[views][_gt]=10'), ['bravo', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ views: { _gte: 10 } })), ['alpha', 'bravo', 'echo']);
      assert.deepEqual(await titles('filter[views][_gt]=-1'), ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'], 'limits of the field do not bind filters');
      assert.deepEqual(await titles('filter[price][_gte]=12.5'), ['bravo', 'echo', 'foxtrot']);
      assert.deepEqual(await titles(jsonFilter({ price: { _lt: 1 } })), ['delta']);
      assert.deepEqual(await titles('filter[price][_lte]=5'), ['alpha', 'delta']);
      assert.deepEqual(await titles('filter[publishedAt][_gte]=2026-01-02T00:00:00Z'), ['bravo', 'delta']);
      assert.deepEqual(await titles(`filter[publishedAt][_lt]=${encodeURIComponent('2026-01-01T00:00:00Z')}`), ['echo']);
      assert.deepEqual(await titles(`filter[publishedAt][_eq]=${encodeURIComponent('2026-01-02T01:00:00+01:00')}`), ['bravo', 'delta']);
      assert.deepEqual(await titles(`filter[createdAt][_gte]=${a.alpha.createdAt}`), ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']);
      assert.deepEqual(await titles(`filter[createdAt][_lt]=${a.alpha.createdAt}`), []);
    });

    it('_in and _nin, comma-separated, as bracket lists and as JSON arrays', async () => {
      assert.deepEqual(await titles('filter[status][_in]=draft,archived'), ['charlie', 'echo']);
      assert.deepEqual(await titles('filter[status][_in][]=draft&filter[status][_in][]=archived'), ['charlie', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ status: { _in: ['draft', 'archived'] } })), ['charlie', 'echo']);
      assert.deepEqual(await titles('filter[status][_nin]=published,draft'), ['echo', 'foxtrot']);
      assert.deepEqual(await titles(`filter[id][_in]=${a.alpha.id},${a.echo.id}`), ['alpha', 'echo']);
      assert.deepEqual(await titles('filter[price][_nin]=12.50,5'), ['charlie', 'delta', 'echo'], '_nin includes items without a value');
    });

    it('_null on columns and on many-relations', async () => {
      assert.deepEqual(await titles('filter[price][_null]=true'), ['charlie']);
      assert.deepEqual(await titles('filter[publishedAt][_null]=true'), ['charlie', 'foxtrot']);
      assert.deepEqual(await titles(jsonFilter({ publishedAt: { _null: false } })), ['alpha', 'bravo', 'delta', 'echo']);
      assert.deepEqual(await titles('filter[category][_null]=true'), ['charlie', 'foxtrot']);
      assert.deepEqual(await titles('filter[tags][_null]=true'), ['charlie']);
      assert.deepEqual(await titles('filter[tags][_null]=false'), ['alpha', 'bravo', 'delta', 'echo', 'foxtrot']);
    });

    it('_contains and _starts_with are case-insensitive and treat % and _ literally', async () => {
      assert.deepEqual(await titles('filter[summary][_contains]=echo'), ['echo']);
      assert.deepEqual(await titles('filter[summary][_contains]=SNAKE'), ['bravo', 'foxtrot']);
      assert.deepEqual(await titles(`filter[summary][_contains]=${encodeURIComponent('100%')}`), ['alpha']);
      assert.deepEqual(await titles(`filter[summary][_contains]=${encodeURIComponent('%')}`), ['alpha']);
      assert.deepEqual(await titles('filter[summary][_contains]=_'), ['bravo']);
      assert.deepEqual(await titles('filter[title][_starts_with]=A'), ['alpha']);
      assert.deepEqual(await titles('filter[title][_starts_with]=lpha'), []);
      assert.deepEqual(await titles(jsonFilter({ slug: { _starts_with: 'ch' } })), ['charlie']);
      assert.deepEqual(await titles(`filter[tags][_contains]=${tag.js.id}`), ['alpha', 'echo', 'foxtrot']);
    });

    it('_and and _or, in JSON and bracket form, and several conditions at once', async () => {
      assert.deepEqual(await titles('filter[_or][0][views][_gt]=50&filter[_or][1][featured][_eq]=true'), ['alpha', 'delta', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ _or: [{ views: { _gt: 50 } }, { featured: { _eq: true } }] })), ['alpha', 'delta', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ _and: [{ status: { _eq: 'published' } }, { views: { _gte: 10 } }] })), ['alpha', 'bravo']);
      assert.deepEqual(await titles('filter[status][_eq]=published&filter[views][_gte]=10&filter[views][_lt]=20'), ['alpha']);
      const nested = { _or: [{ _and: [{ status: { _eq: 'published' } }, { featured: true }] }, { status: { _eq: 'archived' } }] };
      assert.deepEqual(await titles(jsonFilter(nested)), ['alpha', 'delta', 'echo']);
    });

    it('follows to-one, self-referencing and many relations, in dotted and nested form', async () => {
      assert.deepEqual(await titles('filter[author.name][_eq]=Alice'), ['alpha', 'delta', 'foxtrot']);
      assert.deepEqual(await titles('filter[author.name][_starts_with]=b'), ['bravo', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ author: { name: { _eq: 'Bob' } } })), ['bravo', 'echo']);
      assert.deepEqual(await titles('filter[category.name][_eq]=News'), ['delta']);
      assert.deepEqual(await titles('filter[category.parent.name][_eq]=Tech'), ['alpha', 'echo']);
      assert.deepEqual(await titles('filter[category.parent.parent.name][_eq]=News'), ['alpha', 'echo']);
      assert.deepEqual(await titles('filter[tags.name][_eq]=sql'), ['delta', 'echo']);
      assert.deepEqual(await titles('filter[tags.name][_in]=ts,sql'), ['alpha', 'bravo', 'delta', 'echo']);
      assert.deepEqual(await titles(jsonFilter({ tags: { name: { _eq: 'js' } }, author: { name: { _eq: 'Alice' } } })), ['alpha', 'foxtrot']);
      assert.deepEqual(await titles(jsonFilter({ _or: [{ 'tags.name': { _eq: 'ts' } }, { 'category.name': { _eq: 'News' } }] })), ['alpha', 'bravo', 'delta']);
    });

    it('refuses operators that do not fit the field with 400 naming the condition', async () => {
      const bad: [string, string][] = [
        ['filter[views][_contains]=1', 'filter.views._contains'],
        ['filter[featured][_lt]=true', 'filter.featured._lt'],
        [`filter[tags][_eq]=${tag.js.id}`, 'filter.tags._eq'],
        [`filter[tags][_starts_with]=${tag.js.id}`, 'filter.tags._starts_with'],
        ['filter[metadata][_eq]=1', 'filter.metadata._eq'],
        ['filter[status][_in]=draft,nope', 'filter.status._in'],
        ['filter[status][_lt]=draft', 'filter.status._lt'],
        ['filter[price][_null]=maybe', 'filter.price._null'],
        ['filter[price][_eq]=1.005', 'filter.price._eq'],
        ['filter[publishedAt][_gt]=yesterday', 'filter.publishedAt._gt'],
        ['filter[author][_eq]=Alice', 'filter.author._eq'],
        ['filter[title][_contains]=', 'filter.title._contains'],
        ['filter[title.name][_eq]=x', 'filter.title.name'],
        ['filter[author.nope][_eq]=x', 'filter.author.nope'],
        ['filter[category.parent.parent.parent.name][_eq]=x', 'filter.category.parent.parent.parent.name'],
        ['filter[_not][title][_eq]=x', 'filter._not'],
        ['filter[_or]=x', 'filter._or'],
      ];
      for (const [q, field] of bad) assertProblem(await app.api(`${base}?${q}`), 400, field);
      assertProblem(await app.api(`${base}?${jsonFilter({ _or: [] })}`), 400, 'filter._or');
      assertProblem(await app.api(`${base}?${jsonFilter({ status: {} })}`), 400, 'filter.status');
      assertProblem(await app.api(`${base}?${jsonFilter({})}`), 400, 'filter');
    });

    it('selects fields, keeping id', async () => {
      const r = await list(app, `${base}?sort=title&fields=title,views`);
      assert.equal(r.data.length, 6);
      for (const i of r.data) assert.deepEqual(Object.keys(i).sort(), ['id', 'title', 'views']);
      assert.deepEqual(r.data[0], { id: a.alpha.id, title: 'alpha', views: 10 });
      const onlyId = await list(app, `${base}?sort=title&fields=id&limit=1`);
      assert.deepEqual(onlyId.data, [{ id: a.alpha.id }]);
      const withTags = await list(app, `${base}?sort=title&fields=tags&limit=1`);
      assert.deepEqual(withTags.data, [{ id: a.alpha.id, tags: [tag.js.id, tag.ts.id] }]);
      const one = await app.api(`${base}/${a.bravo.id}?fields=title,createdAt`);
      assert.deepEqual(one.body.data, { id: a.bravo.id, title: 'bravo', createdAt: a.bravo.createdAt });
    });

    it('expands to-one and many relations, keeping the stored order', async () => {
      const r = await list(app, `${base}?sort=title&expand=author,tags,category`);
      const alpha = r.data[0];
      assert.deepEqual(alpha.author, au.Alice);
      assert.deepEqual(alpha.tags, [tag.js, tag.ts]);
      assert.equal(alpha.category.id, cat.web.id);
      assert.equal(alpha.category.parent, cat.tech.id, 'not expanded unless asked');
      const charlie = r.data.find((i) => i.title === 'charlie')!;
      assert.equal(charlie.category, null);
      assert.deepEqual(charlie.tags, []);
      const echo = r.data.find((i) => i.title === 'echo')!;
      assert.deepEqual(echo.tags.map((t: Item) => t.name), ['js', 'sql']);
      assert.deepEqual(echo.author, au.Bob);
    });

    it('expands nested relations on lists and single items', async () => {
      const r = await app.api(`${base}/${a.alpha.id}?expand=category.parent.parent,author`);
      assert.equal(r.status, 200);
      const c = r.body.data.category;
      assert.equal(c.name, 'Web');
      assert.equal(c.parent.name, 'Tech');
      assert.deepEqual(c.parent.parent, cat.news);
      assert.equal(r.body.data.author.name, 'Alice');
      const l = await list(app, `${base}?filter[category.name][_eq]=Tech&expand=category.parent`);
      assert.deepEqual(l.data.map((i) => [i.title, i.category.name, i.category.parent.name]), [['bravo', 'Tech', 'News']]);
      assertProblem(await app.api(`${base}?expand=category.parent.parent.parent`), 400, 'expand');
      assertProblem(await app.api(`${base}?expand=category.nope`), 400, 'expand');
    });

    it('combines fields with expand to select inside related items', async () => {
      const r = await list(app, `${base}?sort=title&limit=2&fields=title,author.name,tags.name&expand=author,tags`);
      assert.deepEqual(r.data, [
        { id: a.alpha.id, title: 'alpha', author: { id: au.Alice.id, name: 'Alice' }, tags: [{ id: tag.js.id, name: 'js' }, { id: tag.ts.id, name: 'ts' }] },
        { id: a.bravo.id, title: 'bravo', author: { id: au.Bob.id, name: 'Bob' }, tags: [{ id: tag.ts.id, name: 'ts' }] },
      ]);
      const noExpand = await list(app, `${base}?sort=title&limit=1&fields=author`);
      assert.deepEqual(noExpand.data, [{ id: a.alpha.id, author: au.Alice.id }]);
      // Selecting inside a relation expands it; an expanded relation is returned even when fields omits it.
      const dotted = await list(app, `${base}?sort=title&limit=1&fields=title,author.name`);
      assert.deepEqual(dotted.data, [{ id: a.alpha.id, title: 'alpha', author: { id: au.Alice.id, name: 'Alice' } }]);
      const one = await app.api(`${base}/${a.bravo.id}?fields=title&expand=author`);
      assert.deepEqual(one.body.data, { id: a.bravo.id, title: 'bravo', author: au.Bob });
    });
  });
}
