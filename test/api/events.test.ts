// The event log, once per driver: every change is an event with its content hash, the database
// refuses to change or delete one, revisions can be listed, read, compared and restored, and
// `kiln views rebuild` reproduces exactly the state the API served, also after deletes that
// removed items from other items' lists.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { drivers, startApp, type TestApp } from '../harness.ts';
import { rebuildViews } from '../../src/data/events/rebuild-views.ts';

type Item = Record<string, unknown> & { id: string };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

for (const d of await drivers()) {
  describe(`event log and revisions (${d})`, () => {
    let app: TestApp;
    let article: Item;
    const base = '/api/t/ev';

    before(async () => {
      app = await startApp(d);
      await app.api('/api/tenants', { body: { slug: 'ev', name: 'Ev' } });
      const author: Item = (await app.api(`${base}/authors`, { body: { name: 'Ada' } })).body.data;
      const tags: Item[] = [];
      for (const name of ['one', 'two', 'three']) tags.push((await app.api(`${base}/tags`, { body: { name } })).body.data);
      article = (await app.api(`${base}/articles`, { body: { title: 'First', author: author.id, tags: tags.map((t) => t.id), price: '3.50' } })).body.data;
      await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { title: 'Second', tags: [tags[0].id, tags[1].id] } });
      await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { summary: 'Now with a summary', price: null } });
      // Deleting a tag removes it from the article's list: that change is an event of the article too.
      assert.equal((await app.api(`${base}/tags/${tags[1].id}`, { method: 'DELETE' })).status, 204);
    });
    after(() => app.close());

    it('lists every revision with who, when and the hash of what it recorded', async () => {
      const r = await app.api(`${base}/articles/${article.id}/revisions`);
      assert.equal(r.status, 200);
      const revs = r.body.data as { revision: number; type: string; actor: string; at: string; hash: string }[];
      assert.deepEqual(revs.map((x) => [x.revision, x.type, x.actor]), [[1, 'create', 'root'], [2, 'update', 'root'], [3, 'update', 'root'], [4, 'update', 'root']]);
      const one = await app.api(`${base}/articles/${article.id}/revisions/2`);
      assert.equal(one.body.data.data.title, 'Second');
      const canonical = (v: unknown): string => (Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v ?? null));
      assert.equal(one.body.data.hash, createHash('sha256').update(canonical(one.body.data.data)).digest('hex'));
      assert.equal((await app.api(`${base}/articles/${article.id}/revisions/9`)).status, 404);
      assert.equal((await app.api(`${base}/articles/${article.id}/revisions/x`)).status, 400);
    });

    it('shows the difference between two revisions field by field', async () => {
      const r = await app.api(`${base}/articles/${article.id}/diff?from=1&to=3`);
      assert.equal(r.status, 200);
      const byField = Object.fromEntries((r.body.data as { field: string; before: unknown; after: unknown }[]).map((x) => [x.field, [x.before, x.after]])) as Record<string, [unknown[], unknown[]]>;
      assert.deepEqual(byField.title, ['First', 'Second']);
      assert.deepEqual(byField.summary, [null, 'Now with a summary']);
      assert.deepEqual(byField.price, ['3.50', null]);
      assert.equal(byField.tags[0].length, 3);
      assert.equal(byField.tags[1].length, 2);
      assert.equal((await app.api(`${base}/articles/${article.id}/diff?from=1`)).status, 400);
    });

    it('restores an earlier revision as a new one, without links to deleted items', async () => {
      const r = await app.api(`${base}/articles/${article.id}/revisions/1/restore`, { method: 'POST' });
      assert.equal(r.status, 422, 'revision 1 links a tag that no longer exists');
      assert.equal(r.body.errors[0].field, 'tags');
      const ok = await app.api(`${base}/articles/${article.id}/revisions/3/restore`, { method: 'POST' });
      assert.equal(ok.status, 422, 'revision 3 links the deleted tag too');
      const last = await app.api(`${base}/articles/${article.id}/revisions/4/restore`, { method: 'POST' });
      assert.equal(last.status, 200);
      const revs = (await app.api(`${base}/articles/${article.id}/revisions`)).body.data as { type: string }[];
      assert.equal(revs.at(-1)!.type, 'restore');
    });

    it('refuses, in the database itself, to change or delete an event', async () => {
      const db = app.store.driver.db;
      await assert.rejects(sql`update kiln_events set actor = 'mallory'`.execute(db), /append-only/);
      await assert.rejects(sql`delete from kiln_events`.execute(db), /append-only/);
      const n = await sql<{ n: number }>`select count(*) as n from kiln_events`.execute(db);
      assert.ok(Number(n.rows[0].n) >= 9);
    });

    it('rebuilds exactly the served state from the log', async () => {
      const snapshot = async () =>
        JSON.stringify(
          await Promise.all(['articles?expand=tags,author', 'authors', 'tags', 'categories'].map(async (c) => (await app.api(`${base}/${c}&meta=total_count`.replace('s&', 's?'))).body)),
        );
      const before = await snapshot();
      const report = await rebuildViews(app.store.driver, app.store.model);
      assert.deepEqual(report.collections.find((c) => c.collection === 'tags'), { collection: 'tags', items: 2 });
      assert.equal(await snapshot(), before);
    });

    it('does the same from the command line, beside the running server', async () => {
      const r = spawnSync(process.execPath, ['bin/kiln.js', 'views', 'rebuild', 'examples/magazine/kiln.json'], { cwd: ROOT, env: { ...process.env, ...app.env }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^articles: 1 items \(0 published\)$/m);
      assert.match(r.stdout, /^tags: 2 items$/m);
      assert.equal((await app.api(`${base}/articles/${article.id}`)).status, 200);
    });
  });
}
