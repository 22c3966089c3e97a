// Applying a builder change to a running app, once per driver, on the live server `kiln start`
// runs (started from a spec file): the change is migrated through the gate, the spec file is
// rewritten, and the very server that answered serves the new field at once. A preview from
// another version is a 409, a breaking change needs consent, and only the root token may apply.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { drivers, exampleSpec } from '../harness.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { startLiveApp, type LiveApp } from './live-app.ts';

/** The magazine without its featured flag, so the builder can add it. */
function magazineWithoutFeatured(): Spec {
  const spec = exampleSpec('magazine');
  delete spec.collections.articles.fields.featured;
  return spec;
}

const onDisk = (app: LiveApp) => JSON.parse(readFileSync(app.specFile, 'utf8')) as Spec;

for (const d of await drivers()) {
  describe(`builder apply (${d})`, () => {
    let app: LiveApp;
    let writerKey: string;
    let authorId: string;
    let articleId: string;

    before(async () => {
      app = await startLiveApp(d, magazineWithoutFeatured());
      assert.equal((await app.api('/api/tenants', { body: { slug: 'mag', name: 'Mag' } })).status, 201);
      authorId = (await app.api('/api/t/mag/authors', { body: { name: 'Ada' } })).body.data.id;
      const article = await app.api('/api/t/mag/articles', { body: { title: 'One', summary: 'The first', author: authorId } });
      assert.equal(article.status, 201, JSON.stringify(article.body));
      articleId = article.body.data.id;
      writerKey = (await app.api('/api/t/mag/api-keys', { body: { name: 'w', role: 'writer' } })).body.data.key;
    });
    after(() => app?.close());

    it('only the root token may apply', async () => {
      const body = { patch: { ops: [] }, expectedVersion: 1 };
      const anonymous = await app.api('/api/builder/apply', { body, token: null });
      assert.equal(anonymous.status, 401);
      const writer = await app.api('/api/builder/apply', { body, token: writerKey });
      assert.equal(writer.status, 403);
      assert.equal(writer.headers.get('content-type'), 'application/problem+json');
    });

    it('applies a safe change: migrated, the spec file rewritten, and the new field served at once', async () => {
      const preview = await app.api('/api/builder/edit', { body: { request: 'add a featured flag to articles' } });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.version, 1);
      assert.equal(preview.body.plan.fromVersion, 1);
      assert.deepEqual(preview.body.changes.map((c: { kind: string; field?: string; class: string }) => [c.kind, c.field, c.class]), [['field.added', 'featured', 'safe']]);
      assert.equal((await app.api('/api/t/mag/articles', { body: { title: 'Early', author: authorId, featured: true } })).status, 422, 'not a field before the apply');

      const r = await app.api('/api/builder/apply', { body: { request: 'add a featured flag to articles', patch: preview.body.patch, expectedVersion: preview.body.version } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.version, 2);
      assert.equal(r.body.fromVersion, 1);
      assert.equal(r.body.verdict, 'safe');
      assert.deepEqual(r.body.changes.map((c: { kind: string; field?: string }) => `${c.kind} ${c.field}`), ['field.added featured']);
      assert.deepEqual(r.body.refused, []);
      assert.deepEqual(r.body.specFile, { path: app.specFile, written: true, detail: `Wrote ${app.specFile}.` });

      // The server that answered already serves version 2.
      assert.equal(app.specVersion(), 2);
      const created = await app.api('/api/t/mag/articles', { body: { title: 'Two', author: authorId, featured: true } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.data.featured, true);
      const old = await app.api(`/api/t/mag/articles/${articleId}?fields=title,featured`);
      assert.equal(old.status, 200);
      assert.equal(old.body.data.title, 'One');
      const spec = await app.api('/api/spec');
      assert.equal(spec.body.data.collections.articles.fields.featured.type, 'boolean');
      const file = onDisk(app);
      assert.equal(file.collections.articles.fields.featured.type, 'boolean');
      assert.match(readFileSync(app.specFile, 'utf8'), /^\{\n {2}"\$schema": "[^"]+",\n {2}"kiln": 1,\n[\s\S]*\n\}\n$/, 'two-space JSON with a final newline, as kiln edit writes it');
    });

    it('refuses a preview of an older version with 409, changing nothing', async () => {
      const r = await app.api('/api/builder/apply', { body: { patch: { ops: [{ op: 'addField', collection: 'articles', field: 'subtitle', definition: { type: 'string' } }] }, expectedVersion: 1 } });
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.match(r.body.detail, /changed since the preview; preview again/);
      assert.equal(r.body.errors[0].field, 'expectedVersion');
      assert.equal((await app.api('/api/spec')).body.data.collections.articles.fields.subtitle, undefined);
      assert.equal(app.specVersion(), 2);
    });

    it('refuses a breaking change without allowBreaking, naming it, and changes nothing', async () => {
      const before = readFileSync(app.specFile, 'utf8');
      const preview = await app.api('/api/builder/edit', { body: { request: 'rename summary to excerpt in articles' } });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.version, 2);
      assert.equal(preview.body.verdict, 'breaking');
      const r = await app.api('/api/builder/apply', { body: { patch: preview.body.patch, expectedVersion: 2 } });
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.match(r.body.detail, /breaking; send "allowBreaking": true/);
      assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field), ['allowBreaking']);
      assert.match(r.body.errors[0].detail, /renamed field articles\.summary → excerpt/);
      assert.equal(app.specVersion(), 2);
      assert.equal((await app.api(`/api/t/mag/articles/${articleId}?fields=summary`)).body.data.summary, 'The first');
      assert.equal(readFileSync(app.specFile, 'utf8'), before);

      const accepted = await app.api('/api/builder/apply', { body: { patch: preview.body.patch, expectedVersion: 2, allowBreaking: true } });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.verdict, 'breaking');
      const renamed = await app.api(`/api/t/mag/articles/${articleId}?fields=excerpt`);
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.body.data.excerpt, 'The first', 'the rename kept the value');
      assert.equal(onDisk(app).collections.articles.fields.excerpt.renamedFrom, 'summary');
    });

    it('guards a patch as it guarded the preview: what text may not ask for is left out', async () => {
      const ops = [
        { op: 'addField', collection: 'articles', field: 'subtitle', definition: { type: 'string' } },
        { op: 'grant', role: 'public', collection: 'articles', actions: ['create'] },
      ];
      const r = await app.api('/api/builder/apply', { body: { patch: { ops }, expectedVersion: 3 } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.refused.some((x: string) => /Did not let "public" create "articles"/.test(x)), JSON.stringify(r.body.refused));
      const spec = (await app.api('/api/spec')).body.data;
      assert.equal(spec.collections.articles.fields.subtitle.type, 'string');
      assert.deepEqual(spec.roles.public.can.articles, ['read']);
      assert.equal((await app.api('/api/t/mag/articles', { body: { title: 'Anon', author: authorId }, token: null })).status, 401);
    });

    it('applies a whole spec from the operator when it checks, and names what does not', async () => {
      const current = (await app.api('/api/spec')).body.data;
      assert.ok(current);
      const spec = onDisk(app);
      const bad = structuredClone(spec);
      (bad.collections.articles.fields as Record<string, unknown>).wordCount = { type: 'whole-number' };
      const refused = await app.api('/api/builder/apply', { body: { spec: bad, expectedVersion: 4 } });
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.ok(refused.body.errors.some((e: { field: string }) => e.field.startsWith('spec.collections.articles.fields.wordCount')), JSON.stringify(refused.body.errors));

      spec.collections.articles.fields.wordCount = { type: 'integer', min: 0 };
      const r = await app.api('/api/builder/apply', { body: { spec, expectedVersion: 4 } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.version, 5);
      assert.equal((await app.api(`/api/t/mag/articles/${articleId}`, { method: 'PATCH', body: { wordCount: 1200 } })).body.data.wordCount, 1200);

      const none = await app.api('/api/builder/apply', { body: { spec, expectedVersion: 5 } });
      assert.equal(none.status, 422);
      assert.match(none.body.detail, /nothing to apply/);
      const both = await app.api('/api/builder/apply', { body: { spec, patch: { ops: [] }, expectedVersion: 5 } });
      assert.equal(both.status, 422);
    });
  });
}
