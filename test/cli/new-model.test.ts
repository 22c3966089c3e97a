// `kiln new` and `kiln edit` as real processes with a model provider configured the way an operator
// does it (KILN_AI_PROVIDER, KILN_AI_BASE_URL, KILN_AI_MODEL), against a local server speaking
// OpenAI's wire format, once per driver: the written spec is the model's, named after the folder,
// with sample content; the summary says the model planned it; `kiln ai log` lists the call with its
// tokens; and `kiln edit --yes` applies the model's patch.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, runKiln } from './kiln-process.ts';
import { drivers, freshDatabase } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../intelligence/fake-openai-server.ts';
import { checkSpec } from '../../src/spec/check.ts';

const MODEL_SPEC = {
  kiln: 1,
  name: 'notTheFolder',
  title: 'Tool library',
  tenancy: 'single',
  collections: {
    tools: {
      titleField: 'label',
      fields: {
        label: { type: 'string', required: true, max: 120 },
        condition: { type: 'enum', values: ['new', 'used', 'broken'] },
        lentTo: { type: 'relation', to: 'members' },
      },
    },
    members: { titleField: 'nickname', fields: { nickname: { type: 'string', required: true }, joinedOn: { type: 'date' } } },
  },
  roles: { public: { can: { tools: ['read'] } } },
};
const DESCRIPTION = 'A neighbourhood tool library: tools in some condition, lent to members.';

after(killAll);

for (const d of await drivers()) {
  describe(`kiln new and kiln edit with a model provider (${d})`, () => {
    let fake: FakeOpenAi;
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let dir: string;
    let env: Record<string, string | undefined>;

    before(async () => {
      fake = await startFakeOpenAi({ apiKey: 'sk-cli' });
      db = await freshDatabase(d);
      dir = mkdtempSync(join(tmpdir(), 'kiln-new-model-'));
      env = { ...db.env, KILN_AI_PROVIDER: 'openai', KILN_AI_BASE_URL: fake.url, KILN_AI_API_KEY: 'sk-cli', KILN_AI_MODEL: 'planner-model' };
    });
    afterEach(() => assert.equal(fake.pending(), 0, 'every scripted answer was asked for'));
    after(async () => {
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
      await db?.drop();
    });

    test('kiln new writes the model’s spec, named after the folder, with sample content, and says the model planned it', async () => {
      fake.reply({ json: { spec: MODEL_SPEC, understood: ['Tools are lent to members.'], assumptions: ['Conditions are new, used and broken.'] }, usage: { input: 1234, output: 321 } });
      const r = await runKiln(['new', join(dir, 'tool-shed'), '--describe', DESCRIPTION], env);
      // The folder "tool-shed" names the app "toolShed"; the spec lives in that folder.
      assert.equal(r.code, 0, r.stderr);
      const spec = JSON.parse(readFileSync(join(dir, 'tool-shed', 'kiln.json'), 'utf8'));
      assert.deepEqual(spec, { ...MODEL_SPEC, name: 'toolShed' });
      assert.ok(checkSpec(spec).ok);
      const seed = JSON.parse(readFileSync(join(dir, 'tool-shed', 'seed.json'), 'utf8'));
      const tools = seed.tenants[0].data.tools as Record<string, unknown>[];
      assert.ok(tools.length >= 1 && typeof tools[0].label === 'string', JSON.stringify(seed));
      assert.ok(['new', 'used', 'broken'].includes(tools[0].condition as string), JSON.stringify(tools[0]));
      assert.match(r.stdout, /Understood:\n {2}- Tools are lent to members\./);
      assert.match(r.stdout, /Assumptions \(check these\):\n {2}- Conditions are new, used and broken\./);
      assert.match(r.stdout, /Planned by: openai planner-model \(prompt builder\.plan v1\)\./);

      assert.equal(fake.requests.length, 1);
      assert.equal(fake.requests[0].headers.authorization, 'Bearer sk-cli');
      assert.equal(fake.requests[0].body.model, 'planner-model');
      assert.equal(fake.requests[0].body.response_format?.type, 'json_schema');
      assert.ok(fake.requests[0].body.messages.some((m) => m.content.includes(DESCRIPTION)));

      const log = await runKiln(['ai', 'log', join(dir, 'tool-shed', 'kiln.json'), '--json'], db.env);
      assert.equal(log.code, 0, log.stderr);
      const calls = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(calls.length, 1, log.stdout);
      assert.equal(calls[0].prompt, 'builder.plan');
      assert.equal(calls[0].source, 'model');
      assert.equal(calls[0].provider, 'openai');
      assert.equal(calls[0].requestedModel, 'planner-model');
      assert.equal(calls[0].inputTokens, 1234);
      assert.equal(calls[0].outputTokens, 321);
      assert.equal(calls[0].status, 'done');

      const table = await runKiln(['ai', 'log', join(dir, 'tool-shed', 'kiln.json')], db.env);
      assert.match(table.stdout, /builder\.plan@1 +openai\/planner-model +model +1234\/321/);
    });

    test('kiln edit --yes applies the model’s patch and logs the call', async () => {
      const file = join(dir, 'tool-shed', 'kiln.json');
      const ops = [{ op: 'addField', collection: 'tools', field: 'borrowedUntil', definition: { type: 'date' } }];
      fake.requests.length = 0;
      fake.reply({ json: { ops, understood: ['tools.borrowedUntil: the date a tool is due back'] } });
      const r = await runKiln(['edit', '--describe', 'remember when a lent tool must come back', file, '--yes'], env);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /Understood:\n {2}- tools\.borrowedUntil: the date a tool is due back/);
      assert.match(r.stdout, /\(model\):\n {2}safe {6}added field tools\.borrowedUntil/);
      assert.match(r.stdout, /Wrote .*kiln\.json/);
      const spec = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(spec.collections.tools.fields.borrowedUntil, { type: 'date' });
      assert.equal(fake.requests.length, 1);
      assert.equal(fake.requests[0].body.response_format?.json_schema?.schema.title, 'Kiln spec patch');

      const log = await runKiln(['ai', 'log', file, '--json', '--prompt', 'builder.edit'], db.env);
      const calls = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(calls.map((c) => [c.prompt, c.source]), [['builder.edit', 'model']]);
    });

    test('the same description again is answered from the AI cache, and the summary says so', async () => {
      fake.requests.length = 0;
      const r = await runKiln(['new', join(dir, 'tool-shed'), '--describe', DESCRIPTION, '--force'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fake.requests.length, 0, 'the provider was not asked again');
      assert.match(r.stdout, /Planned by: openai planner-model, a stored answer from the AI cache \(prompt builder\.plan v1\)\./);
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tool-shed', 'kiln.json'), 'utf8')), { ...MODEL_SPEC, name: 'toolShed' });
      const log = await runKiln(['ai', 'log', join(dir, 'tool-shed', 'kiln.json'), '--json', '--limit', '1'], db.env);
      const [last] = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual([last.prompt, last.source, last.cacheHit], ['builder.plan', 'cache', true]);
    });

    test('with the provider down, kiln new falls back to the offline planner and says so', async () => {
      fake.requests.length = 0;
      fake.handle(() => ({ status: 500, body: { error: { message: 'down', type: 'server_error', param: null, code: null } } }));
      try {
        const r = await runKiln(['new', join(dir, 'offline-shed'), '--describe', 'A seed swap: seeds with a variety name and a sowing month, offered by gardeners.'], env);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Planned by: the offline planner/);
        assert.ok(fake.requests.length >= 1, 'the model was asked first');
        const spec = JSON.parse(readFileSync(join(dir, 'offline-shed', 'kiln.json'), 'utf8'));
        assert.equal(spec.name, 'offlineShed');
        assert.ok(checkSpec(spec).ok);
        assert.ok(spec.collections.seeds, JSON.stringify(Object.keys(spec.collections)));
      } finally {
        fake.handle(undefined);
      }
    });
  });
}
