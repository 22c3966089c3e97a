// Richtext values are sanitized on every write, once per driver: what the admin UI's editor writes
// is kept as it is; scripts, event handlers, styles and javascript: links are dropped before they are
// stored, whether the value comes from POST, PATCH or a seed; plain text is kept exactly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { assertProblem, create, dbRow, type Item } from './helpers.ts';
import { seedIfEmpty } from '../../src/data/seed.ts';

// Everything TipTap's starter kit writes, as it writes it.
const EDITOR_HTML =
  '<h2>Harbour news</h2><p>Some <strong>bold</strong>, <em>italic</em>, <s>struck</s>, <u>underlined</u> and <code>code</code> text.</p>' +
  '<ul><li><p>one</p></li></ul><ol start="3"><li><p>three</p></li></ol><blockquote><p>Quoted</p></blockquote>' +
  '<pre><code class="language-js">a &lt; b &amp;&amp; c</code></pre><hr><p>A <a target="_blank" rel="noopener noreferrer nofollow" href="https://example.com/x?a=1&amp;b=2">link</a><br>and a line break.</p>';

for (const d of await drivers()) {
  describe(`richtext sanitizing (${d})`, () => {
    let app: TestApp;
    let author: Item;
    const base = '/api/t/mag/articles';
    const stored = async (id: string) => (await dbRow(app, 'articles', id))?.body as string | null;

    before(async () => {
      app = await startApp(d);
      // Seeded first: a seed loads only into an empty app.
      const seeded = await seedIfEmpty(app.store, {
        tenants: [{ slug: 'mag', name: 'Mag', data: { authors: [{ $key: 'ada', name: 'Ada' }], articles: [{ title: 'From a seed', author: 'ada', body: '<p>ok</p><script>x()</script>' }] } }],
      });
      assert.equal(seeded, 2);
      author = ((await app.api('/api/t/mag/authors')).body.data as Item[])[0];
    });
    after(() => app.close());

    it('drops scripts, event handlers, styles and javascript: links from a POSTed value, in the answer and in the database', async () => {
      const body =
        '<p onclick="steal()">Hello <strong>world</strong></p><script>alert(1)</script><img src="x" onerror="alert(2)">' +
        '<p style="color:red">styled</p><a href="javascript:alert(3)">bad link</a><iframe src="https://evil.example"></iframe><style>p{}</style>';
      const r = await app.api(base, { body: { title: 'Dirty', author: author.id, body } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const clean = '<p>Hello <strong>world</strong></p><p>styled</p><a rel="noopener noreferrer nofollow">bad link</a>';
      assert.equal(r.body.data.body, clean);
      assert.equal(await stored(r.body.data.id), clean);
      assert.equal((await app.api(`${base}/${r.body.data.id}`)).body.data.body, clean);
      for (const bad of ['<script', 'onerror', 'onclick', 'javascript:', 'style=', '<style', 'iframe', 'alert']) assert.ok(!clean.includes(bad), bad);
    });

    it("keeps the editor's markup as it is", async () => {
      const a = await create(app, 'mag', 'articles', { title: 'Clean', author: author.id, body: EDITOR_HTML });
      // Only void elements are spelled the XHTML way; browsers and TipTap read both alike.
      const canonical = EDITOR_HTML.replace('<hr>', '<hr />').replace('<br>', '<br />');
      assert.equal(a.body, canonical);
      assert.equal(await stored(a.id), canonical);
    });

    it('gives every link a safe rel, also on PATCH, and the published copy is the sanitized one', async () => {
      const a = await create(app, 'mag', 'articles', { title: 'Links', author: author.id, status: 'published', body: '<p>x</p>' });
      const r = await app.api(`${base}/${a.id}`, {
        method: 'PATCH',
        body: { body: '<p><a href="https://example.com" target="_blank" rel="opener">out</a><a href="/relative" target="_top">in</a><svg onload="x()"></svg></p>' },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const clean = '<p><a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">out</a><a href="/relative" rel="noopener noreferrer nofollow">in</a></p>';
      assert.equal(r.body.data.body, clean);
      assert.equal((await app.api(`${base}/${a.id}/transition`, { body: { to: 'published' } })).status, 200);
      assert.equal((await app.api(`${base}/${a.id}`, { token: null })).body.data.body, clean, 'what readers get');
    });

    it('keeps plain text exactly as written', async () => {
      const text = 'Fish & chips > "salad", 5 > 3\n\nSecond paragraph with a &amp; that stays.';
      const a = await create(app, 'mag', 'articles', { title: 'Plain', author: author.id, body: text });
      assert.equal(a.body, text);
      assert.equal(await stored(a.id), text);
    });

    it('holds the length limit for the sanitized value and names the field for a non-string', async () => {
      assertProblem(await app.api(base, { body: { title: 'Number', author: author.id, body: 42 } }), 422, 'body');
    });

    it('sanitized the seeded value too', async () => {
      const seeded = (await app.api(`${base}?filter[title][_eq]=From%20a%20seed`)).body.data as Item[];
      assert.equal(seeded[0].body, '<p>ok</p>');
    });
  });
}
