// The builder routes of an app whose gateway is configured against a local server speaking OpenAI's
// wire format, once per driver: the plan and the patch are the model's (source "model"), checked,
// guarded, and the edit's dry-run plan runs against the app's own database.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec, startApp, type TestApp } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../intelligence/fake-openai-server.ts';

const SPEC = {
  kiln: 1,
  name: 'gardens',
  tenancy: 'single',
  collections: {
    plants: { titleField: 'commonName', fields: { commonName: { type: 'string', required: true }, latinName: { type: 'string' }, bed: { type: 'relation', to: 'beds' } } },
    beds: { titleField: 'label', fields: { label: { type: 'string', required: true } } },
  },
  roles: { public: { can: { plants: ['read'], beds: ['read'] } }, root: { can: { '*': ['read', 'create', 'update', 'delete'] } } },
};

for (const d of await drivers()) {
  describe(`builder routes with a model provider (${d})`, () => {
    let app: TestApp;
    let fake: FakeOpenAi;

    before(async () => {
      fake = await startFakeOpenAi();
      app = await startApp(d, exampleSpec('blog'), { aiEnv: { KILN_AI_PROVIDER: 'openai', KILN_AI_BASE_URL: fake.url, KILN_AI_MODEL: 'garden-model' } });
    });
    afterEach(() => {
      assert.equal(fake.pending(), 0, 'every scripted answer was asked for');
      fake.requests.length = 0;
    });
    after(async () => {
      await app?.close();
      await fake?.close();
    });

    it('POST /api/builder/plan answers with the model’s spec, guarded and checked', async () => {
      fake.reply({ json: { spec: SPEC, understood: ['Plants grow in beds.'] } });
      const r = await app.api('/api/builder/plan', { body: { description: 'A garden journal: plants with common and latin names, each in a bed.' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.source, 'model');
      assert.deepEqual(Object.keys(r.body.spec.collections).sort(), ['beds', 'plants']);
      assert.equal(r.body.spec.collections.plants.titleField, 'commonName');
      assert.deepEqual(r.body.understood, ['Plants grow in beds.']);
      assert.equal(r.body.checks.ok, true);
      assert.equal(r.body.spec.roles.root, undefined, 'the model’s root role is refused');
      assert.ok(r.body.refused.some((x: string) => /Did not add the role "root".*\(the model asked for it\)/.test(x)), JSON.stringify(r.body.refused));
      assert.ok(r.body.seed.tenants[0].data.plants.length >= 1);
      assert.equal(fake.requests.length, 1);
      assert.equal(fake.requests[0].body.model, 'garden-model');
      assert.ok(fake.requests[0].body.messages.some((m) => m.content.includes('A garden journal')));
    });

    it('POST /api/builder/edit answers with the model’s patch, its diff and the dry run', async () => {
      const ops = [{ op: 'addField', collection: 'posts', field: 'readingMinutes', definition: { type: 'integer', min: 0 } }];
      fake.reply({ json: { ops } });
      const r = await app.api('/api/builder/edit', { body: { request: 'add how long a post takes to read' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.source, 'model');
      assert.deepEqual(r.body.patch, { ops });
      assert.deepEqual(r.body.changes.map((c: { kind: string; field?: string; class: string }) => [c.kind, c.field, c.class]), [['field.added', 'readingMinutes', 'safe']]);
      assert.equal(r.body.plan.breaking, false);
      assert.equal((await app.api('/api/posts?fields=readingMinutes')).status, 400, 'nothing was applied');
    });
  });
}
