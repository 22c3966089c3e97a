// Values at the edges of what a field or a database can hold. Each one is either accepted and
// returned exactly as it went in, or refused as a 4xx problem naming the field: never a 500, and
// never something one driver stores and the other cannot.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { assertProblem, countRows, create, createTenant, type Item, type Res } from './helpers.ts';

/** Accepted (201/200) with the value returned unchanged, or 422 naming the field. */
function acceptedExactlyOrRefused(r: Res, field: string, sent: unknown, ok = 201): void {
  if (r.status === ok) {
    assert.deepEqual(r.body.data[field], sent, `${field} came back changed`);
    return;
  }
  assertProblem(r, 422, field);
}

/** A query is answered (200) or refused as a bad query (400 naming the parameter); never a 500. */
function answeredOrRefused(r: Res, param: string): void {
  if (r.status === 200) return;
  const p = assertProblem(r, 400);
  assert.ok(p.errors.some((e: { field: string }) => e.field.startsWith(param)), JSON.stringify(p));
}

for (const d of await drivers()) {
  describe(`edge values (${d})`, () => {
    let app: TestApp;
    let author: Item;
    const base = '/api/t/e';

    before(async () => {
      app = await startApp(d);
      await createTenant(app, 'e');
      author = await create(app, 'e', 'authors', { name: 'Edge' });
    });
    after(() => app.close());

    it('a NUL character in a text value is stored exactly or refused with 422', async () => {
      acceptedExactlyOrRefused(await app.api(`${base}/authors`, { body: { name: 'a\u0000b' } }), 'name', 'a\u0000b');
      acceptedExactlyOrRefused(await app.api(`${base}/tags`, { body: { name: 'nul\u0000' } }), 'name', 'nul\u0000');
      acceptedExactlyOrRefused(await app.api(`${base}/authors/${author.id}`, { method: 'PATCH', body: { bio: '\u0000' } }), 'bio', '\u0000', 200);
      acceptedExactlyOrRefused(await app.api(`${base}/articles`, { body: { title: 'Json nul', author: author.id, metadata: { k: 'a\u0000b' } } }), 'metadata', { k: 'a\u0000b' });
    });

    it('a NUL character in a filter value is answered or refused with 400', async () => {
      answeredOrRefused(await app.api(`${base}/authors?filter[name][_eq]=a%00b`), 'filter');
      answeredOrRefused(await app.api(`${base}/authors?filter[name][_contains]=%00`), 'filter');
      answeredOrRefused(await app.api(`${base}/articles?filter[slug][_starts_with]=%00`), 'filter');
    });

    it('datetimes in year 0000 are stored exactly or refused with 422', async () => {
      const r = await app.api(`${base}/articles`, { body: { title: 'Year zero', author: author.id, publishedAt: '0000-01-01T00:00:00Z' } });
      acceptedExactlyOrRefused(r, 'publishedAt', '0000-01-01T00:00:00.000Z');
      const early = await app.api(`${base}/articles`, { body: { title: 'Year one', author: author.id, publishedAt: '0001-01-01T00:00:00Z' } });
      assert.equal(early.status, 201, JSON.stringify(early.body));
      assert.equal(early.body.data.publishedAt, '0001-01-01T00:00:00.000Z');
      const late = await app.api(`${base}/articles`, { body: { title: 'Year 9999', author: author.id, publishedAt: '9999-12-31T23:59:59.999Z' } });
      assert.equal(late.body.data.publishedAt, '9999-12-31T23:59:59.999Z');
    });

    it('filters and cursors with year-0000 datetimes are answered or refused with 400', async () => {
      answeredOrRefused(await app.api(`${base}/articles?filter[publishedAt][_lt]=0000-06-01T00:00:00Z`), 'filter');
      answeredOrRefused(await app.api(`${base}/articles?filter[createdAt][_gt]=0000-06-01T00:00:00Z`), 'filter');
      const cursor = Buffer.from(JSON.stringify({ s: '-publishedAt,-id', v: ['0000-01-01T00:00:00.000Z', '01900000-0000-7000-8000-000000000000'] })).toString('base64url');
      answeredOrRefused(await app.api(`${base}/articles?cursor=${cursor}`), 'cursor');
    });

    it('refuses deeply nested JSON with a 4xx problem instead of failing', async () => {
      const before = await countRows(app, ['articles']);
      for (const deep of ['['.repeat(10000) + ']'.repeat(10000), '{"a":'.repeat(10000) + '1' + '}'.repeat(10000)]) {
        const r = await app.api(`${base}/articles`, { rawBody: `{"title":"Deep","author":"${author.id}","metadata":${deep}}`, headers: { 'content-type': 'application/json' } });
        assert.ok(r.status === 400 || r.status === 422, `status ${r.status}`);
        assertProblem(r, r.status);
      }
      assert.deepEqual(await countRows(app, ['articles']), before);
      // Moderate nesting is ordinary JSON and round-trips.
      const nested = JSON.parse('['.repeat(50) + '"x"' + ']'.repeat(50));
      const ok = await create(app, 'e', 'articles', { title: 'Nested', author: author.id, metadata: nested });
      assert.deepEqual(ok.metadata, nested);
    });

    it('integers up to 2^53-1 round-trip; larger ones are refused with 422', async () => {
      const max = await create(app, 'e', 'articles', { title: 'Max views', author: author.id, views: Number.MAX_SAFE_INTEGER });
      assert.equal(max.views, Number.MAX_SAFE_INTEGER);
      const listed = await app.api(`${base}/articles?filter[views][_eq]=${Number.MAX_SAFE_INTEGER}`);
      assert.deepEqual(listed.body.data.map((i: Item) => i.id), [max.id]);
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Too many', author: author.id, views: 2 ** 53 } }), 422, 'views');
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Too many', author: author.id, views: 1e300 } }), 422, 'views');
      assertProblem(await app.api(`${base}/articles?filter[views][_gt]=1e400`), 400, 'filter.views._gt');
    });

    it('decimals keep exactly their scale at the limits of their precision', async () => {
      const cases: [unknown, string][] = [['99999999.99', '99999999.99'], [0, '0.00'], ['-0', '0.00'], ['0.1', '0.10'], [0.1, '0.10'], ['1.50000', '1.50'], ['+2.5', '2.50']];
      for (const [sent, expected] of cases) {
        const r = await app.api(`${base}/articles`, { body: { title: `Price ${String(sent)}`, author: author.id, price: sent } });
        assert.equal(r.status, 201, `${JSON.stringify(sent)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.data.price, expected, JSON.stringify(sent));
        assert.equal((await app.api(`${base}/articles/${r.body.data.id}`)).body.data.price, expected);
      }
      const top = await app.api(`${base}/articles?filter[price][_gte]=99999999.99`);
      assert.deepEqual(top.body.data.map((i: Item) => i.price), ['99999999.99']);
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Too dear', author: author.id, price: '100000000.00' } }), 422, 'price');
      for (const bad of ['1e3', ' 3.3 ', '1,5', '.5', 'Infinity']) {
        assertProblem(await app.api(`${base}/articles`, { body: { title: 'Odd price', author: author.id, price: bad } }), 422, 'price');
      }
    });

    it('normalizes datetimes with offsets, fractions and no seconds to UTC with milliseconds', async () => {
      const cases: [string, string][] = [
        ['2026-06-01T00:30:00+01:00', '2026-05-31T23:30:00.000Z'],
        ['2026-06-01T12:00:00.123456Z', '2026-06-01T12:00:00.123Z'],
        ['2026-06-01T12:00:00-00:30', '2026-06-01T12:30:00.000Z'],
      ];
      for (const [sent, expected] of cases) {
        const r = await app.api(`${base}/articles`, { body: { title: `At ${sent}`, author: author.id, publishedAt: sent } });
        assert.equal(r.status, 201, `${sent}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.data.publishedAt, expected, sent);
      }
    });
  });
}
