// The HTTP model providers against local servers that speak each provider's real wire format: what goes
// on the wire, what comes back, and every failure as the typed ModelError the gateway's queue relies on.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ModelError, type ModelErrorKind } from '../../src/intelligence/gateway/model-error.ts';
import type { ModelProvider, ModelRequest } from '../../src/intelligence/gateway/model-provider.ts';
import { OpenAiCompatibleProvider } from '../../src/intelligence/gateway/providers/openai-compatible.ts';
import { AnthropicProvider } from '../../src/intelligence/gateway/providers/anthropic.ts';
import { providerFor } from '../../src/intelligence/gateway/providers/provider-for.ts';
import { AiConfigError, readAiConfig } from '../../src/intelligence/gateway/ai-config.ts';
import { openAiError, startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.ts';
import { anthropicError, startFakeAnthropic, type FakeAnthropic } from './fake-anthropic-server.ts';

const SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['title', 'tags'],
  additionalProperties: false,
};

const ASK: ModelRequest = {
  model: 'big-model',
  messages: [
    { role: 'system', content: 'You write titles.' },
    { role: 'user', content: 'An article about kilns.' },
  ],
  responseFormat: { name: 'content.seo', schema: SCHEMA },
  temperature: 0.2,
  maxOutputTokens: 300,
};

async function failure(provider: ModelProvider, request: ModelRequest = ASK): Promise<ModelError> {
  try {
    await provider.complete(request);
  } catch (error) {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

async function assertKind(provider: ModelProvider, kind: ModelErrorKind, request: ModelRequest = ASK): Promise<ModelError> {
  const error = await failure(provider, request);
  assert.equal(error.kind, kind, error.message);
  return error;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAI-compatible provider', () => {
  let fake: FakeOpenAi;
  let provider: OpenAiCompatibleProvider;
  before(async () => {
    fake = await startFakeOpenAi({ apiKey: 'sk-test-key-0001' });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.handle(undefined);
    assert.equal(fake.pending(), 0, 'a previous test left scripted replies');
    provider = new OpenAiCompatibleProvider({ baseUrl: fake.url, apiKey: 'sk-test-key-0001', timeoutMs: 5_000 });
  });

  it('sends the chat completion request with a strict json_schema response format', async () => {
    fake.reply({ json: { title: 'Firing clay', tags: ['kilns'] }, usage: { input: 42, output: 7 }, model: 'big-model-2025-01-01' });
    const answer = await provider.complete(ASK);

    assert.equal(fake.requests.length, 1);
    const [request] = fake.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/chat/completions');
    assert.equal(request.headers.authorization, 'Bearer sk-test-key-0001');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(request.body, {
      model: 'big-model',
      messages: [
        { role: 'system', content: 'You write titles.' },
        { role: 'user', content: 'An article about kilns.' },
      ],
      temperature: 0.2,
      max_tokens: 300,
      // "content.seo" is not a valid json_schema name on the wire.
      response_format: { type: 'json_schema', json_schema: { name: 'content_seo', schema: SCHEMA, strict: true } },
    });
    assert.deepEqual(answer, {
      text: '{"title":"Firing clay","tags":["kilns"]}',
      model: 'big-model-2025-01-01',
      usage: { inputTokens: 42, outputTokens: 7 },
      finishReason: 'stop',
    });
    assert.equal(provider.name, 'openai');
  });

  it('without a key sends no Authorization header, leaves out unset fields, can say max_completion_tokens', async () => {
    const open = await startFakeOpenAi();
    try {
      const local = new OpenAiCompatibleProvider({ baseUrl: `${open.url}/`, name: 'ollama', maxTokensField: 'max_completion_tokens' });
      const answer = await local.complete({ model: 'llama3', messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 50 });
      assert.equal(local.name, 'ollama');
      assert.equal(answer.text, 'Hello from the fake model.');
      assert.equal(open.requests[0].path, '/v1/chat/completions');
      assert.equal(open.requests[0].headers.authorization, undefined);
      assert.deepEqual(open.requests[0].body, { model: 'llama3', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50 });
    } finally {
      await open.close();
    }
  });

  it('wraps a schema whose root is not an object and unwraps the answer', async () => {
    const listSchema = { type: 'array', items: { type: 'string' } };
    fake.reply({ json: { value: ['a', 'b'] } });
    const answer = await provider.complete({ ...ASK, responseFormat: { name: 'tags', schema: listSchema } });
    assert.equal(answer.text, '["a","b"]');
    const sent = fake.requests[0].body.response_format?.json_schema?.schema;
    assert.deepEqual(sent, { type: 'object', properties: { value: listSchema }, required: ['value'], additionalProperties: false });
  });

  it('answers with JSON fitting the schema when nothing is scripted', async () => {
    const answer = await provider.complete(ASK);
    assert.deepEqual(JSON.parse(answer.text), { title: '', tags: [] });
  });

  it('returns broken JSON as it came, for the gateway to repair, and reports a truncated answer', async () => {
    fake.reply({ text: '{"title": "Firing', finishReason: 'length' });
    const answer = await provider.complete(ASK);
    assert.equal(answer.text, '{"title": "Firing');
    assert.equal(answer.finishReason, 'length');
  });

  it('429 with Retry-After in seconds is rate_limited with retryAfterMs', async () => {
    fake.reply(openAiError(429, 'Rate limit reached for requests', { headers: { 'retry-after': '2' } }));
    const error = await assertKind(provider, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.retryable, true);
    assert.equal(fake.requests.length, 1, 'the provider must not retry by itself');
  });

  it('429 with Retry-After as an HTTP date is rate_limited with the time until then', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    fake.reply(openAiError(429, 'Rate limit reached', { headers: { 'retry-after': at } }));
    const error = await assertKind(provider, 'rate_limited');
    assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 25_000 && error.retryAfterMs <= 30_000, String(error.retryAfterMs));
  });

  it('429 prefers retry-after-ms, and falls back to the x-ratelimit reset of the exhausted limit', async () => {
    fake.reply(
      openAiError(429, 'slow down', { headers: { 'retry-after-ms': '1500', 'retry-after': '9' } }),
      openAiError(429, 'slow down', { headers: {
        'x-ratelimit-remaining-requests': '10', 'x-ratelimit-reset-requests': '6m0s',
        'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1.5s',
      } }),
    );
    assert.equal((await assertKind(provider, 'rate_limited')).retryAfterMs, 1500);
    assert.equal((await assertKind(provider, 'rate_limited')).retryAfterMs, 1500);
  });

  it('429 for an exhausted quota is not worth retrying', async () => {
    fake.reply(openAiError(429, 'You exceeded your current quota', { type: 'insufficient_quota', code: 'insufficient_quota' }));
    const error = await assertKind(provider, 'auth');
    assert.equal(error.retryable, false);
  });

  it('the caller\'s AbortSignal ends the call as a timeout', async () => {
    fake.reply({ delayMs: 30_000, json: {} });
    const error = await assertKind(provider, 'timeout', { ...ASK, signal: AbortSignal.timeout(50) });
    assert.equal(error.retryable, true);
    assert.match(error.message, /aborted/);
  });

  it('an already aborted signal sends nothing', async () => {
    await assertKind(provider, 'timeout', { ...ASK, signal: AbortSignal.abort() });
    assert.equal(fake.requests.length, 0);
  });

  it('the provider\'s own timeout ends a call that gets no answer', async () => {
    const impatient = new OpenAiCompatibleProvider({ baseUrl: fake.url, apiKey: 'sk-test-key-0001', timeoutMs: 100 });
    fake.reply({ delayMs: 30_000, json: {} });
    const error = await assertKind(impatient, 'timeout');
    assert.match(error.message, /no answer within 100 ms/);
  });

  it('a context-length error is context_too_long, in OpenAI, vLLM and llama.cpp shapes', async () => {
    fake.reply(
      openAiError(400, 'This model\'s maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.', { code: 'context_length_exceeded' }),
      { status: 400, body: { object: 'error', message: 'This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.', type: 'BadRequestError', param: null, code: 400 } },
      { status: 400, body: { error: { code: 400, message: 'request (4390 tokens) exceeds the available context size (4096 tokens), try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 4390, n_ctx: 4096 } } },
    );
    for (let i = 0; i < 3; i++) {
      const error = await assertKind(provider, 'context_too_long');
      assert.equal(error.retryable, false);
    }
  });

  it('a refusal or the content filter is content_filtered', async () => {
    fake.reply({ refusal: 'I can\'t help with that.' }, { text: '', finishReason: 'content_filter' });
    const refused = await assertKind(provider, 'content_filtered');
    assert.match(refused.message, /I can't help with that/);
    await assertKind(provider, 'content_filtered');
  });

  it('401 is auth, and the message never repeats the key', async () => {
    const wrong = new OpenAiCompatibleProvider({ baseUrl: fake.url, apiKey: 'sk-wrong-secret-98765' });
    const error = await assertKind(wrong, 'auth');
    assert.equal(error.status, 401);
    assert.match(error.message, /Incorrect API key provided/);
    assert.doesNotMatch(error.message, /wrong-secret-98765/);
    assert.equal(error.retryable, false);
  });

  it('other 4xx are bad_request', async () => {
    fake.reply(openAiError(404, 'The model `nope` does not exist', { code: 'model_not_found' }), openAiError(422, 'invalid schema'));
    assert.equal((await assertKind(provider, 'bad_request')).status, 404);
    assert.equal((await assertKind(provider, 'bad_request')).status, 422);
  });

  it('5xx, an HTML error page, a dropped connection and a refused connection are server errors', async () => {
    fake.reply(openAiError(500, 'The server had an error'), { status: 502, body: '<html><body>Bad gateway</body></html>' }, { drop: true });
    assert.equal((await assertKind(provider, 'server')).status, 500);
    const html = await assertKind(provider, 'server');
    assert.match(html.message, /Bad gateway/);
    const dropped = await assertKind(provider, 'server');
    assert.equal(dropped.status, undefined);
    const nowhere = new OpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });
    const refused = await assertKind(nowhere, 'server');
    assert.match(refused.message, /ECONNREFUSED/);
    assert.equal(refused.retryable, true);
  });

  it('a 200 whose body is not a chat completion is a server error', async () => {
    fake.reply({ body: 'not json at all' }, { body: { choices: [] } });
    assert.match((await assertKind(provider, 'server')).message, /not json at all/);
    await assertKind(provider, 'server');
  });
});

describe('Anthropic provider', () => {
  let fake: FakeAnthropic;
  let provider: AnthropicProvider;
  before(async () => {
    fake = await startFakeAnthropic({ apiKey: 'sk-ant-test-0001' });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.handle(undefined);
    assert.equal(fake.pending(), 0, 'a previous test left scripted replies');
    provider = new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-test-0001', timeoutMs: 5_000 });
  });

  it('sends system at the top level and the schema as one forced tool, and returns the tool input as JSON', async () => {
    fake.reply({ json: { title: 'Firing clay', tags: ['kilns'] }, usage: { input: 50, output: 9 }, model: 'claude-x-20250101' });
    const answer = await provider.complete({
      ...ASK,
      messages: [{ role: 'system', content: 'You write titles.' }, { role: 'system', content: 'Be brief.' }, ...ASK.messages.slice(1)],
    });

    const [request] = fake.requests;
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.headers['x-api-key'], 'sk-ant-test-0001');
    assert.equal(request.headers['anthropic-version'], '2023-06-01');
    assert.equal(request.headers.authorization, undefined);
    assert.deepEqual(request.body, {
      model: 'big-model',
      max_tokens: 300,
      system: 'You write titles.\n\nBe brief.',
      messages: [{ role: 'user', content: 'An article about kilns.' }],
      temperature: 0.2,
      tools: [{ name: 'content_seo', description: 'Give the answer as this tool call\'s input.', input_schema: SCHEMA }],
      tool_choice: { type: 'tool', name: 'content_seo' },
    });
    assert.deepEqual(answer, {
      text: '{"title":"Firing clay","tags":["kilns"]}',
      model: 'claude-x-20250101',
      usage: { inputTokens: 50, outputTokens: 9 },
      finishReason: 'stop',
    });
  });

  it('without a response format: no tools, max_tokens defaults, the text blocks are the answer', async () => {
    fake.reply({ text: 'A plain answer.' });
    const answer = await provider.complete({ model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(fake.requests[0].body, { model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answer.text, 'A plain answer.');
  });

  it('accepts a base URL that already ends in /v1', async () => {
    const withV1 = new AnthropicProvider({ baseUrl: `${fake.url}/v1/`, apiKey: 'sk-ant-test-0001' });
    await withV1.complete(ASK);
    assert.equal(fake.requests[0].path, '/v1/messages');
  });

  it('answers with tool input fitting the schema when nothing is scripted; unwraps non-object roots', async () => {
    assert.deepEqual(JSON.parse((await provider.complete(ASK)).text), { title: '', tags: [] });
    fake.reply({ json: { value: ['x'] } });
    const answer = await provider.complete({ ...ASK, responseFormat: { name: 'tags', schema: { type: 'array', items: { type: 'string' } } } });
    assert.equal(answer.text, '["x"]');
  });

  it('text instead of the tool call comes back verbatim for repair; max_tokens is length', async () => {
    fake.reply({ text: '{"title": "Fir', finishReason: 'max_tokens' });
    const answer = await provider.complete(ASK);
    assert.equal(answer.text, '{"title": "Fir');
    assert.equal(answer.finishReason, 'length');
  });

  it('a refusal is content_filtered', async () => {
    fake.reply({ refusal: 'I will not do that.' });
    await assertKind(provider, 'content_filtered');
  });

  it('429 with Retry-After is rate_limited with retryAfterMs', async () => {
    fake.reply(anthropicError(429, 'Number of request tokens has exceeded your per-minute rate limit', { headers: { 'retry-after': '3' } }));
    const error = await assertKind(provider, 'rate_limited');
    assert.equal(error.retryAfterMs, 3000);
    assert.equal(fake.requests.length, 1);
  });

  it('429 without Retry-After waits for the reset of the exhausted limit', async () => {
    const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    fake.reply(anthropicError(429, 'rate limited', { headers: {
      'anthropic-ratelimit-requests-remaining': '40', 'anthropic-ratelimit-requests-reset': inSeconds(50),
      'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': inSeconds(20),
    } }));
    const error = await assertKind(provider, 'rate_limited');
    assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 15_000 && error.retryAfterMs <= 20_000, String(error.retryAfterMs));
  });

  it('"prompt is too long" and 413 request_too_large are context_too_long; other 400s are bad_request', async () => {
    fake.reply(
      anthropicError(400, 'prompt is too long: 208310 tokens > 200000 maximum'),
      anthropicError(413, 'Request exceeds the maximum allowed number of bytes.'),
      anthropicError(400, 'messages: roles must alternate between "user" and "assistant"'),
    );
    await assertKind(provider, 'context_too_long');
    await assertKind(provider, 'context_too_long');
    await assertKind(provider, 'bad_request');
  });

  it('401 is auth, and the message never repeats the key', async () => {
    fake.reply(anthropicError(401, 'invalid x-api-key: sk-ant-test-0001'));
    const error = await assertKind(provider, 'auth');
    assert.doesNotMatch(error.message, /sk-ant-test-0001/);
    const wrong = new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-wrong' });
    assert.match((await assertKind(wrong, 'auth')).message, /authentication_error/);
  });

  it('529 overloaded, 500 and a dropped connection are server errors, retryable', async () => {
    fake.reply(anthropicError(529, 'Overloaded'), anthropicError(500, 'Internal server error'), { drop: true });
    const overloaded = await assertKind(provider, 'server');
    assert.equal(overloaded.status, 529);
    assert.equal(overloaded.retryable, true);
    await assertKind(provider, 'server');
    await assertKind(provider, 'server');
  });

  it('times out by the caller\'s signal and by its own default', async () => {
    fake.reply({ delayMs: 30_000, json: {} }, { delayMs: 30_000, json: {} });
    await assertKind(provider, 'timeout', { ...ASK, signal: AbortSignal.timeout(50) });
    const impatient = new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-test-0001', timeoutMs: 100 });
    assert.match((await assertKind(impatient, 'timeout')).message, /no answer within 100 ms/);
  });

  it('a 200 whose body is not a message is a server error', async () => {
    fake.reply({ body: '<html>gateway</html>' });
    await assertKind(provider, 'server');
  });
});

describe('AI configuration', () => {
  it('is offline by default', () => {
    assert.deepEqual(readAiConfig({}), { provider: 'offline', timeoutMs: 60_000, concurrency: 4 });
    assert.equal(providerFor(readAiConfig({})), null);
  });

  it('reads a full OpenAI configuration', () => {
    const config = readAiConfig({
      KILN_AI_PROVIDER: 'OpenAI', KILN_AI_API_KEY: 'sk-x', KILN_AI_MODEL: 'gpt-4o', KILN_AI_FALLBACK_MODEL: 'gpt-4o-mini',
      KILN_AI_TIMEOUT_MS: '1500', KILN_AI_CONCURRENCY: '2',
    });
    assert.deepEqual(config, {
      provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4o', fallbackModel: 'gpt-4o-mini',
      timeoutMs: 1500, concurrency: 2,
    });
    const provider = providerFor(config);
    assert.ok(provider instanceof OpenAiCompatibleProvider);
    assert.equal(provider.name, 'openai');
  });

  it('defaults the Anthropic base URL and builds the Anthropic provider', () => {
    const config = readAiConfig({ KILN_AI_PROVIDER: 'anthropic', KILN_AI_API_KEY: 'k', KILN_AI_MODEL: 'claude-x' });
    assert.equal(config.provider === 'anthropic' && config.baseUrl, 'https://api.anthropic.com');
    assert.ok(providerFor(config) instanceof AnthropicProvider);
  });

  it('needs no key for a local OpenAI-compatible server', () => {
    const config = readAiConfig({ KILN_AI_PROVIDER: 'openai', KILN_AI_MODEL: 'llama3', KILN_AI_BASE_URL: 'http://localhost:11434/v1/' });
    assert.equal(config.provider === 'openai' && config.baseUrl, 'http://localhost:11434/v1');
    assert.equal(config.provider === 'openai' && config.apiKey, undefined);
  });

  for (const [env, variable, words] of [
    [{ KILN_AI_PROVIDER: 'ollama' }, 'KILN_AI_PROVIDER', /offline, openai or anthropic/],
    [{ KILN_AI_PROVIDER: 'openai', KILN_AI_API_KEY: 'k' }, 'KILN_AI_MODEL', /required/],
    [{ KILN_AI_PROVIDER: 'anthropic', KILN_AI_MODEL: 'claude-x' }, 'KILN_AI_API_KEY', /required for https:\/\/api.anthropic.com/],
    [{ KILN_AI_PROVIDER: 'openai', KILN_AI_MODEL: 'm', KILN_AI_BASE_URL: 'localhost:8080' }, 'KILN_AI_BASE_URL', /http or https/],
    [{ KILN_AI_PROVIDER: 'openai', KILN_AI_MODEL: 'm', KILN_AI_BASE_URL: 'not a url' }, 'KILN_AI_BASE_URL', /not a URL/],
    [{ KILN_AI_TIMEOUT_MS: '0' }, 'KILN_AI_TIMEOUT_MS', /above 0/],
    [{ KILN_AI_TIMEOUT_MS: '5s' }, 'KILN_AI_TIMEOUT_MS', /not "5s"/],
    [{ KILN_AI_CONCURRENCY: '-1' }, 'KILN_AI_CONCURRENCY', /above 0/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)}, naming ${variable}`, () => {
      assert.throws(() => readAiConfig(env), (error: unknown) => {
        assert.ok(error instanceof AiConfigError);
        assert.equal(error.variable, variable);
        assert.match(error.message, words);
        return true;
      });
    });
  }

  it('a configured provider talks to its server', async () => {
    const fake = await startFakeOpenAi({ apiKey: 'sk-local' });
    try {
      const provider = providerFor(readAiConfig({
        KILN_AI_PROVIDER: 'openai', KILN_AI_BASE_URL: fake.url, KILN_AI_API_KEY: 'sk-local', KILN_AI_MODEL: 'qwen',
      }));
      assert.ok(provider);
      fake.reply({ json: { title: 't', tags: [] } });
      const answer = await provider.complete({ ...ASK, model: 'qwen' });
      assert.equal(answer.text, '{"title":"t","tags":[]}');
      assert.equal(fake.requests[0].body.max_tokens, 300, 'a server other than api.openai.com gets max_tokens');
    } finally {
      await fake.close();
    }
  });
});
