// The model gateway's pipeline against local servers speaking the real provider wire formats: every
// claim (repairs, retries, cache hits, idempotency, budgets) is shown by counting the requests the
// fake provider received and by the rows of the AI log, on both databases.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startFakeOpenAi, openAiError, type FakeOpenAi } from './fake-openai-server.ts';
import { startFakeAnthropic } from './fake-anthropic-server.ts';
import { gatewayFor, openDb, remoteEnv, summarize, PROMPT, type Db } from './gateway-fixture.ts';
import { estimateTokens, setBudgetLimits } from '../../src/intelligence/gateway/budget.ts';
import { PromptRegistry } from '../../src/intelligence/gateway/prompts/prompt-registry.ts';
import type { Gateway } from '../../src/intelligence/gateway/gateway.ts';

type Row = Record<string, unknown>;

async function callRow(db: Db, id: string): Promise<Row> {
  const row = await db.driver.db.selectFrom('kiln_ai_calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return row;
}

async function blob(db: Db, hash: unknown): Promise<string> {
  const row = await db.driver.db.selectFrom('kiln_ai_blobs').select('content').where('hash', '=', hash as string).executeTakeFirstOrThrow();
  return row.content as string;
}

for (const name of await drivers()) {
  describe(`model gateway (${name})`, () => {
    let db: Db;
    let fake: FakeOpenAi;
    const gateways: Gateway[] = [];

    before(async () => {
      db = await openDb(name);
      fake = await startFakeOpenAi({ apiKey: 'sk-test' });
    });
    // One gateway at a time: gateways on one database share its queue, as processes of one deployment do.
    afterEach(async () => {
      for (const g of gateways.splice(0)) await g.stop();
    });
    after(async () => {
      await fake.close();
      await db.close();
    });

    /** A gateway on the fake OpenAI server; requests counted from here on. */
    async function openai(extra: Record<string, string> = {}): Promise<{ gw: Gateway; sent: () => number }> {
      fake.handle(() => ({ json: { summary: 'the default answer' } }));
      const gw = await gatewayFor(db, remoteEnv('openai', fake.url, extra));
      gateways.push(gw);
      const base = fake.requests.length;
      return { gw, sent: () => fake.requests.length - base };
    }

    test('offline by default: the offline implementation answers and the call is logged', async () => {
      const gw = await gatewayFor(db, {});
      gateways.push(gw);
      const r = await gw.run(summarize('offline-t', 'a quiet day'));
      assert.deepEqual(r.value, { summary: 'offline: a quiet day' });
      assert.equal(r.source, 'offline');
      assert.equal(r.provider, 'offline');
      assert.equal(r.promptVersion, 'v1');
      const row = await callRow(db, r.callId);
      assert.equal(row.status, 'done');
      assert.equal(row.source, 'offline');
      assert.equal(row.tenant, 'offline-t');
      assert.equal(JSON.parse(await blob(db, row.outputHash)).summary, 'offline: a quiet day');
      assert.match(await blob(db, row.promptHash), /Summarize: a quiet day/);
    });

    test('an OpenAI-compatible model answers with a JSON Schema response format; the call and its blobs are logged', async () => {
      const { gw, sent } = await openai();
      fake.reply({ json: { summary: 'from the model' }, usage: { input: 40, output: 7 }, model: 'big-model-2025' });
      const r = await gw.run(summarize('oa', 'the openai path'));
      assert.deepEqual(r.value, { summary: 'from the model' });
      assert.equal(r.source, 'model');
      assert.equal(r.provider, 'openai');
      assert.equal(r.model, 'big-model-2025');
      assert.equal(sent(), 1);
      const req = fake.requests.at(-1)!;
      assert.equal(req.body.model, 'big-model');
      assert.equal(req.body.response_format?.type, 'json_schema');
      assert.deepEqual(req.body.response_format?.json_schema?.schema, summarize('x', 'x').schema);
      const row = await callRow(db, r.callId);
      assert.equal(row.requestedModel, 'big-model');
      assert.equal(row.responseModel, 'big-model-2025');
      assert.equal(Number(row.inputTokens), 40);
      assert.equal(Number(row.outputTokens), 7);
      assert.equal(row.version, 'v1');
      assert.equal(row.cacheHit, 0);
      // The stored prompt is exactly what reached the provider; the stored output is its answer.
      assert.deepEqual(JSON.parse(await blob(db, row.promptHash)), req.body.messages);
      assert.deepEqual(JSON.parse(await blob(db, row.outputHash)), { summary: 'from the model' });
    });

    test('an Anthropic model answers through the Messages API', async () => {
      const anthropic = await startFakeAnthropic({ apiKey: 'sk-test' });
      try {
        const gw = await gatewayFor(db, remoteEnv('anthropic', anthropic.url));
        gateways.push(gw);
        anthropic.reply({ json: { summary: 'from claude' } });
        const r = await gw.run(summarize('an', 'the anthropic path'));
        assert.deepEqual(r.value, { summary: 'from claude' });
        assert.equal(r.source, 'model');
        assert.equal(r.provider, 'anthropic');
        assert.equal(anthropic.requests.length, 1);
        assert.equal(anthropic.requests[0].path, '/v1/messages');
        await gw.stop();
      } finally {
        await anthropic.close();
      }
    });

    test('malformed JSON goes back to the model as a repair turn', async () => {
      const { gw, sent } = await openai();
      fake.reply({ text: '{"summary": "cut sho' }, { json: { summary: 'repaired' } });
      const r = await gw.run(summarize('repair', 'broken json'));
      assert.deepEqual(r.value, { summary: 'repaired' });
      assert.equal(sent(), 2);
      const repair = fake.requests.at(-1)!.body.messages;
      assert.equal(repair.length, 4);
      assert.deepEqual(repair[2], { role: 'assistant', content: '{"summary": "cut sho' });
      assert.equal(repair[3].role, 'user');
      assert.match(repair[3].content, /not valid JSON/);
      assert.equal(Number((await callRow(db, r.callId)).repairs), 1);
    });

    test('an answer that fails validate() is repaired up to 3 times, then the fallback model, then offline', async () => {
      const { gw, sent } = await openai({ KILN_AI_FALLBACK_MODEL: 'small-model' });
      fake.handle((req) => (req.body.model === 'big-model' ? { json: { summary: '' } } : { json: { summary: 'small but valid' } }));
      const r = await gw.run(summarize('fallback', 'empty summaries'));
      assert.deepEqual(r.value, { summary: 'small but valid' });
      assert.equal(r.model, 'small-model');
      assert.equal(sent(), 5); // 1 + 3 repairs on the main model, then the fallback
      assert.match(fake.requests.at(-2)!.body.messages.at(-1)!.content, /summary must not be empty/);
      assert.ok(r.notes.some((n) => /falling back to small-model/.test(n)), r.notes.join('\n'));

      fake.handle(() => ({ json: { summary: ' ' } }));
      const r2 = await gw.run(summarize('fallback', 'never valid'));
      assert.equal(r2.source, 'offline');
      assert.deepEqual(r2.value, { summary: 'offline: never valid' });
      assert.equal(sent(), 5 + 8);
      const row = await callRow(db, r2.callId);
      assert.equal(row.source, 'offline');
      assert.equal(row.errorKind, 'invalid_output');
    });

    test('429 with Retry-After is retried after the delay; the log and the request count show one retry', async () => {
      const { gw, sent } = await openai();
      fake.reply(openAiError(429, 'Rate limit reached', { headers: { 'retry-after': '1' } }), { json: { summary: 'after the wait' } });
      const r = await gw.run(summarize('rl', 'rate limited'));
      assert.deepEqual(r.value, { summary: 'after the wait' });
      assert.equal(sent(), 2);
      const req = await db.driver.db.selectFrom('kiln_ai_requests').selectAll().where('callId', '=', r.callId).executeTakeFirstOrThrow();
      assert.equal(Number(req.attempts), 2);
      assert.equal(req.state, 'done');
    });

    test('non-retryable errors are not retried: the call falls back to offline at once', async () => {
      const { gw, sent } = await openai();
      fake.reply(openAiError(400, 'Invalid schema for response_format'));
      const r = await gw.run(summarize('bad', 'bad request'));
      assert.equal(r.source, 'offline');
      assert.equal(sent(), 1);
      assert.equal((await callRow(db, r.callId)).errorKind, 'bad_request');

      fake.reply(openAiError(401, 'Incorrect API key provided'));
      const r2 = await gw.run(summarize('bad', 'auth'));
      assert.equal(r2.source, 'offline');
      assert.equal(sent(), 2);
      assert.equal((await callRow(db, r2.callId)).errorKind, 'auth');
    });

    test('a provider that does not answer in time is retried, then the call falls back', async () => {
      const gw = await gatewayFor(db, remoteEnv('openai', fake.url, { KILN_AI_TIMEOUT_MS: '150' }), { queue: { pollMs: 10, retryBaseMs: 10, maxAttempts: 2 } });
      gateways.push(gw);
      const base = fake.requests.length;
      fake.reply({ delayMs: 3000, json: { summary: 'too late' } }, { delayMs: 3000, json: { summary: 'too late' } });
      const r = await gw.run(summarize('slow', 'timeouts'));
      assert.equal(r.source, 'offline');
      assert.equal(fake.requests.length - base, 2);
      assert.equal((await callRow(db, r.callId)).errorKind, 'timeout');
    });

    test('the same call twice reaches the provider once: the second is a cache hit and costs no budget', async () => {
      const { gw, sent } = await openai();
      fake.reply({ json: { summary: 'cached answer' }, usage: { input: 30, output: 5 } });
      const first = await gw.run(summarize('cache', 'same input'));
      const second = await gw.run(summarize('cache', 'same input'));
      assert.equal(sent(), 1);
      assert.equal(first.source, 'model');
      assert.equal(second.source, 'cache');
      assert.deepEqual(second.value, { summary: 'cached answer' });
      assert.equal((await callRow(db, second.callId)).cacheHit, 1);
      const usage = await db.driver.db.selectFrom('kiln_ai_budget_usage').selectAll().where('tenant', '=', 'cache').executeTakeFirstOrThrow();
      assert.equal(Number(usage.usedTokens), 35);
      // A different input is a different key.
      await gw.run(summarize('cache', 'other input'));
      assert.equal(sent(), 2);
    });

    test('per-user memoization: each user gets their own entry', async () => {
      const { gw, sent } = await openai();
      const call = (user: string) => summarize('memo', 'memoized input', { user, memoizeTtlMs: 60_000 });
      const a1 = await gw.run(call('ann'));
      const a2 = await gw.run(call('ann'));
      const b1 = await gw.run(call('bob'));
      assert.equal(sent(), 2);
      assert.deepEqual([a1.source, a2.source, b1.source], ['model', 'cache', 'model']);
    });

    test('idempotency: concurrent and later calls with one key run and bill once, and all get the first result', async () => {
      const { gw, sent } = await openai();
      fake.reply({ json: { summary: 'once' }, usage: { input: 20, output: 3 } });
      const key = 'req-42';
      const [a, b] = await Promise.all([gw.run(summarize('idem', 'only once', { idempotencyKey: key })), gw.run(summarize('idem', 'only once', { idempotencyKey: key }))]);
      const c = await gw.run(summarize('idem', 'only once', { idempotencyKey: key }));
      assert.equal(sent(), 1);
      assert.deepEqual([a.value, b.value, c.value], [{ summary: 'once' }, { summary: 'once' }, { summary: 'once' }]);
      assert.equal(a.callId, b.callId);
      assert.equal(a.callId, c.callId);
      const rows = await db.driver.db.selectFrom('kiln_ai_calls').selectAll().where('tenant', '=', 'idem').execute();
      assert.equal(rows.length, 1);
      const usage = await db.driver.db.selectFrom('kiln_ai_budget_usage').selectAll().where('tenant', '=', 'idem').executeTakeFirstOrThrow();
      assert.equal(Number(usage.usedTokens), 23);
      // Another gateway on the same database (another process) honours the key too.
      const other = await gatewayFor(db, remoteEnv('openai', fake.url));
      gateways.push(other);
      const d = await other.run(summarize('idem', 'only once', { idempotencyKey: key }));
      assert.equal(d.callId, a.callId);
      assert.equal(sent(), 1);
    });

    test('the hard budget cap holds under 10 concurrent calls; usage is reconciled to what the provider reported', async () => {
      const { gw, sent } = await openai({ KILN_AI_MAX_OUTPUT_TOKENS: '500' });
      const messages = new PromptRegistry([PROMPT]).render(PROMPT.name, 'v1', { text: 'budget item 0' });
      const estimate = estimateTokens(messages, 500);
      // Room for three estimates; each answer reports more than its estimate, so no room comes back.
      await setBudgetLimits(db.driver, 'budget', { softTokens: estimate, hardTokens: 3 * estimate + Math.floor(estimate / 2) });
      fake.handle(() => ({ json: { summary: 'paid' }, usage: { input: estimate, output: 10 } }));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.run(summarize('budget', `budget item ${i}`))));
      assert.equal(sent(), 3);
      assert.equal(results.filter((r) => r.source === 'model').length, 3);
      const offline = results.filter((r) => r.source === 'offline');
      assert.equal(offline.length, 7);
      for (const r of offline) assert.ok(r.notes.some((n) => /hard budget cap/.test(n)), r.notes.join('\n'));
      assert.ok(results.some((r) => r.notes.some((n) => /soft budget limit/.test(n))));
      const usage = await db.driver.db.selectFrom('kiln_ai_budget_usage').selectAll().where('tenant', '=', 'budget').executeTakeFirstOrThrow();
      assert.equal(Number(usage.usedTokens), 3 * (estimate + 10));
      assert.equal(Number(usage.reservedTokens), 0);
    });

    test('over the hard cap for the main model, the fallback model (with its smaller allowance) runs; then offline', async () => {
      const { gw, sent } = await openai({ KILN_AI_MAX_OUTPUT_TOKENS: '1000', KILN_AI_FALLBACK_MODEL: 'small-model' });
      const messages = new PromptRegistry([PROMPT]).render(PROMPT.name, 'v1', { text: 'capped' });
      const main = estimateTokens(messages, 1000);
      const small = estimateTokens(messages, 500);
      await setBudgetLimits(db.driver, 'capped', { softTokens: null, hardTokens: main - 1 });
      fake.handle(() => ({ json: { summary: 'small answer' }, usage: { input: 600, output: 10 } }));
      const r = await gw.run(summarize('capped', 'capped'));
      assert.equal(sent(), 1);
      assert.equal(fake.requests.at(-1)!.body.model, 'small-model');
      assert.equal(r.model, 'small-model');
      assert.ok(r.notes.some((n) => /big-model: hard budget cap/.test(n)), r.notes.join('\n'));
      // 610 used: now neither fits, and there is no bypass.
      assert.ok(610 + small > main - 1);
      const r2 = await gw.run(summarize('capped', 'capped again'));
      assert.equal(r2.source, 'offline');
      assert.equal(sent(), 1);
    });

    test('redaction: an email in the variables never reaches the provider and is restored in the output', async () => {
      const { gw, sent } = await openai();
      fake.handle((req) => {
        const user = req.body.messages.find((m) => m.role === 'user')!.content;
        return { json: { summary: `Write to ${/\[EMAIL_\d+\]/.exec(user)?.[0] ?? 'nobody'}` } };
      });
      const r = await gw.run(summarize('pii', 'Questions go to jane.doe@example.com, not to the desk.'));
      assert.equal(sent(), 1);
      assert.ok(!fake.requests.at(-1)!.raw.includes('jane.doe@example.com'), fake.requests.at(-1)!.raw);
      assert.deepEqual(r.value, { summary: 'Write to jane.doe@example.com' });
      // The log holds what was sent: the placeholder, not the address.
      const row = await callRow(db, r.callId);
      assert.ok(!(await blob(db, row.promptHash)).includes('jane.doe@example.com'));
    });

    test('every call is in the log with its prompt stored once under its hash', async () => {
      const gw = await gatewayFor(db, {});
      gateways.push(gw);
      const a = await gw.run(summarize('dedup', 'same prompt'));
      const b = await gw.run(summarize('dedup', 'same prompt'));
      const rows = await db.driver.db.selectFrom('kiln_ai_calls').selectAll().where('tenant', '=', 'dedup').execute();
      assert.deepEqual(new Set(rows.map((r) => r.id)), new Set([a.callId, b.callId]));
      assert.equal(rows[0].promptHash, rows[1].promptHash);
      const blobs = await db.driver.db.selectFrom('kiln_ai_blobs').select('hash').where('hash', '=', rows[0].promptHash as string).execute();
      assert.equal(blobs.length, 1);
    });
  });
}
