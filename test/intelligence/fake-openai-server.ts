// A local server that speaks OpenAI Chat Completions (`POST /v1/chat/completions`), for testing the
// OpenAI-compatible provider and everything above it without a network.
//
//   const fake = await startFakeOpenAi();             // or startFakeOpenAi({ apiKey: 'sk-test' })
//   const provider = new OpenAiCompatibleProvider({ baseUrl: fake.url, apiKey: 'sk-test' });
//   fake.reply({ json: { title: 'Hi' } });            // the next answer's content is this JSON
//   fake.reply({ text: '{"title": "Hi"' });           // content verbatim (broken JSON for repair)
//   fake.reply({ refusal: 'I cannot help with that' });
//   fake.reply({ finishReason: 'length', text: '{"ti' }, { usage: { input: 10, output: 3 } });
//   fake.reply(openAiError(429, 'Rate limit reached', { headers: { 'retry-after': '2' } }));
//   fake.reply(openAiError(400, 'maximum context length is 8192 tokens', { code: 'context_length_exceeded' }));
//   fake.reply({ status: 502, body: '<html>Bad gateway</html>' });  // any status and body
//   fake.reply({ body: 'not json' });                 // 200 with a malformed body
//   fake.reply({ delayMs: 5_000, json: {} });         // answer late (timeouts)
//   fake.reply({ drop: true });                       // close the connection without answering
//   fake.handle((request) => request.body.model === 'small' ? { json: {...} } : undefined);
//   fake.requests.length; fake.requests[0].body.messages; fake.requests[0].headers.authorization;
//   await fake.close();
//
// Scripted replies are used one per request in order; then the handler; then the default: content
// that fits the request's `response_format` schema (see exampleFor), or "Hello from the fake model.".
// With `apiKey`, a request without `Authorization: Bearer <apiKey>` gets OpenAI's 401 (echoing the key
// it was sent, as OpenAI does, so tests can prove the provider never repeats a key).
import { exampleFor, roughTokens, startFakeModelServer, type FakeModelServer, type FakeReply, type RecordedRequest } from './fake-model-server.ts';

export type { FakeReply, RecordedRequest } from './fake-model-server.ts';

export type OpenAiRequestBody = {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
};

export type FakeOpenAi = FakeModelServer<OpenAiRequestBody>;

export function startFakeOpenAi(options: { apiKey?: string } = {}): Promise<FakeOpenAi> {
  return startFakeModelServer<OpenAiRequestBody>({
    path: '/v1/chat/completions',
    checkAuth: (request) => {
      if (options.apiKey === undefined) return undefined;
      const sent = request.headers.authorization ?? '';
      if (sent === `Bearer ${options.apiKey}`) return undefined;
      return openAiError(401, `Incorrect API key provided: ${sent.replace(/^Bearer /, '')}. You can find your API key at https://platform.openai.com/account/api-keys.`, { type: 'invalid_request_error', code: 'invalid_api_key' });
    },
    defaultReply: (request) => {
      const schema = request.body?.response_format?.json_schema?.schema;
      return schema ? { json: exampleFor(schema) } : { text: 'Hello from the fake model.' };
    },
    completion: (reply, request) => completion(reply, request),
    error: (status, message) => openAiError(status, message).body,
  }, '/v1');
}

/** An error answer in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export function openAiError(status: number, message: string, options: { type?: string; code?: string; headers?: Record<string, string> } = {}): FakeReply {
  const type = options.type ?? (status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error');
  return { status, headers: options.headers, body: { error: { message, type, param: null, code: options.code ?? null } } };
}

function completion(reply: FakeReply, request: RecordedRequest<OpenAiRequestBody>): unknown {
  const content = reply.refusal !== undefined ? null : reply.text ?? JSON.stringify(reply.json ?? null);
  const prompt = (request.body?.messages ?? []).map((m) => m.content).join('\n');
  const usage = reply.usage ?? { input: roughTokens(prompt), output: roughTokens(content ?? reply.refusal ?? '') };
  return {
    id: `chatcmpl-fake${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? request.body?.model ?? 'fake-model',
    choices: [{
      index: 0,
      message: { role: 'assistant', content, refusal: reply.refusal ?? null },
      logprobs: null,
      finish_reason: reply.finishReason ?? 'stop',
    }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  };
}
