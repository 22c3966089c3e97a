// Prompt versions chosen per tenant by the flag rollout, shadow versions run beside a call and
// never returned, and the GenAI trace attributes of each call.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.ts';
import { recordSpans } from './span-recorder.ts';
import { gatewayFor, openDb, remoteEnv, summarize, PROMPT, type Db } from './gateway-fixture.ts';
import { rolloutBucket } from '../../src/intelligence/gateway/prompts/prompt-flags.ts';
import type { Gateway } from '../../src/intelligence/gateway/gateway.ts';

const spans = recordSpans();

/** Tenants on either side of a 50% rollout, found from the flag's own bucketing. */
function tenantsAround(percent: number): { inside: string; outside: string } {
  let inside: string | undefined;
  let outside: string | undefined;
  for (let i = 0; !(inside && outside); i++) {
    const t = `tenant-${i}`;
    if (rolloutBucket(PROMPT.name, t) < percent) inside ??= t;
    else outside ??= t;
  }
  return { inside, outside };
}

for (const name of await drivers()) {
  describe(`prompt flags, shadows and traces (${name})`, () => {
    let db: Db;
    let fake: FakeOpenAi;
    const gateways: Gateway[] = [];

    before(async () => {
      db = await openDb(name);
      fake = await startFakeOpenAi();
    });
    afterEach(async () => {
      for (const g of gateways.splice(0)) await g.stop();
    });
    after(async () => {
      await fake.close();
      await db.close();
    });

    async function gateway(flags: unknown): Promise<Gateway> {
      const env = remoteEnv('openai', fake.url, flags === undefined ? {} : { KILN_AI_PROMPT_FLAGS: JSON.stringify(flags) });
      const gw = await gatewayFor(db, env);
      gateways.push(gw);
      return gw;
    }

    // Answers say which version's text they were asked with.
    const byVersion = () =>
      fake.handle((req) => {
        const user = req.body.messages.find((m) => m.role === 'user')!.content;
        return { json: { summary: user.startsWith('One line about:') ? 'answer to v2' : 'answer to v1' } };
      });

    test('the rollout selects the version per tenant, and distinct prompts reach the provider', async () => {
      const { inside, outside } = tenantsAround(50);
      const gw = await gateway({ [PROMPT.name]: { rollout: [{ version: 'v2', percent: 50 }], tenants: { pinned: 'v2' } } });
      byVersion();
      const base = fake.requests.length;
      const a = await gw.run(summarize(inside, 'rollout text'));
      const b = await gw.run(summarize(outside, 'rollout text'));
      const c = await gw.run(summarize('pinned', 'rollout text'));
      assert.deepEqual([a.promptVersion, b.promptVersion, c.promptVersion], ['v2', 'v1', 'v2']);
      assert.deepEqual([a.value.summary, b.value.summary, c.value.summary], ['answer to v2', 'answer to v1', 'answer to v2']);
      const sent = fake.requests.slice(base).map((r) => r.body.messages.find((m) => m.role === 'user')!.content);
      assert.deepEqual(sent, ['One line about: rollout text', 'Summarize: rollout text', 'One line about: rollout text']);
      const rows = await db.driver.db.selectFrom('kiln_ai_calls').select(['tenant', 'version']).where('tenant', 'in', [inside, outside, 'pinned']).execute();
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.tenant, r.version])), { [inside]: 'v2', [outside]: 'v1', pinned: 'v2' });
    });

    test('a shadow version runs beside the call, is scored by validate(), and is never returned', async () => {
      const gw = await gateway({ [PROMPT.name]: { shadow: 'v2' } });
      fake.handle((req) => {
        const user = req.body.messages.find((m) => m.role === 'user')!.content;
        // The shadow version's answers fail the call's checks.
        return { json: { summary: user.startsWith('One line about:') ? '' : 'the production answer' } };
      });
      const base = fake.requests.length;
      const r = await gw.run(summarize('shadowed', 'shadow text'));
      assert.equal(r.promptVersion, 'v1');
      assert.deepEqual(r.value, { summary: 'the production answer' });
      await gw.stop(); // waits for the shadow run
      const sent = fake.requests.slice(base).map((q) => q.body.messages.find((m) => m.role === 'user')!.content).sort();
      assert.deepEqual(sent, ['One line about: shadow text', 'Summarize: shadow text']);
      const rows = await db.driver.db.selectFrom('kiln_ai_calls').selectAll().where('tenant', '=', 'shadowed').orderBy('createdAt').execute();
      assert.deepEqual(rows.map((row) => [row.kind, row.version]).sort(), [['call', 'v1'], ['shadow', 'v2']]);
      const shadow = rows.find((row) => row.kind === 'shadow')!;
      assert.match(shadow.notes as string, /shadow score: 0/);
      assert.equal(shadow.errorKind, 'invalid_output');
    });

    test('each call carries the GenAI span attributes and the prompt name and version', async () => {
      const gw = await gateway(undefined);
      spans.reset();
      fake.reply({ json: { summary: 'traced' }, usage: { input: 12, output: 4 }, model: 'big-model-0611' });
      await gw.run(summarize('traced', 'trace me'));
      const offline = await gatewayFor(db, {});
      gateways.push(offline);
      await offline.run(summarize('traced', 'trace me offline'));
      const [model, off] = spans.spans();
      assert.equal(model.name, 'chat big-model');
      assert.deepEqual(
        {
          op: model.attributes['gen_ai.operation.name'],
          provider: model.attributes['gen_ai.provider.name'],
          requestModel: model.attributes['gen_ai.request.model'],
          responseModel: model.attributes['gen_ai.response.model'],
          input: model.attributes['gen_ai.usage.input_tokens'],
          output: model.attributes['gen_ai.usage.output_tokens'],
          prompt: model.attributes['app.prompt.name'],
          version: model.attributes['app.prompt.version'],
        },
        { op: 'chat', provider: 'openai', requestModel: 'big-model', responseModel: 'big-model-0611', input: 12, output: 4, prompt: 'test.summarize', version: 'v1' },
      );
      assert.equal(off.attributes['gen_ai.provider.name'], 'offline');
      assert.equal(off.attributes['gen_ai.response.model'], 'offline');
      assert.equal(off.attributes['app.prompt.version'], 'v1');
    });
  });
}
