// A local server that speaks Anthropic Messages (`POST /v1/messages`), for testing the Anthropic
// provider and everything above it without a network.
//
//   const fake = await startFakeAnthropic();          // or startFakeAnthropic({ apiKey: 'sk-ant-test' })
//   const provider = new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-test' });
//   fake.reply({ json: { title: 'Hi' } });            // the forced tool's input (or text without tools)
//   fake.reply({ text: 'plain answer' });             // a text block verbatim
//   fake.reply({ refusal: 'no' });                    // stop_reason "refusal"
//   fake.reply({ finishReason: 'max_tokens', json: {} });
//   fake.reply(anthropicError(429, 'Number of request tokens has exceeded your per-minute rate limit',
//     { headers: { 'retry-after': '3' } }));
//   fake.reply(anthropicError(400, 'prompt is too long: 208310 tokens > 200000 maximum'));
//   fake.reply(anthropicError(529, 'Overloaded'));   // type overloaded_error
//   fake.reply({ status: 502, body: '<html>Bad gateway</html>' }, { body: 'not json' });
//   fake.reply({ delayMs: 5_000, json: {} }, { drop: true });
//   fake.handle((request) => ...); fake.requests; fake.pending(); await fake.close();
//
// Scripted replies are used one per request in order; then the handler; then the default: a tool_use
// block whose input fits the forced tool's `input_schema` (see exampleFor), or a text block. With
// `apiKey`, a request whose `x-api-key` differs gets Anthropic's 401 authentication_error.
import { exampleFor, roughTokens, startFakeModelServer, type FakeModelServer, type FakeReply, type RecordedRequest } from './fake-model-server.ts';

export type { FakeReply, RecordedRequest } from './fake-model-server.ts';

export type AnthropicRequestBody = {
  model: string;
  max_tokens: number;
  system?: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: { type: string; name?: string };
};

export type FakeAnthropic = FakeModelServer<AnthropicRequestBody>;

export function startFakeAnthropic(options: { apiKey?: string } = {}): Promise<FakeAnthropic> {
  return startFakeModelServer<AnthropicRequestBody>({
    path: '/v1/messages',
    checkAuth: (request) => {
      if (options.apiKey === undefined || request.headers['x-api-key'] === options.apiKey) return undefined;
      return anthropicError(401, 'invalid x-api-key');
    },
    defaultReply: (request) => {
      const tool = forcedTool(request);
      return tool ? { json: exampleFor(tool.input_schema) } : { text: 'Hello from the fake model.' };
    },
    completion: (reply, request) => message(reply, request),
    error: (status, text) => anthropicError(status, text).body,
  }, '');
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 409: 'conflict_error', 413: 'request_too_large', 429: 'rate_limit_error',
  500: 'api_error', 529: 'overloaded_error',
};

/** An error answer in Anthropic's shape: `{ type: "error", error: { type, message }, request_id }`. */
export function anthropicError(status: number, text: string, options: { type?: string; headers?: Record<string, string> } = {}): FakeReply {
  const type = options.type ?? ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status, headers: options.headers, body: { type: 'error', error: { type, message: text }, request_id: 'req_fake' } };
}

function forcedTool(request: RecordedRequest<AnthropicRequestBody>): { name: string; input_schema: Record<string, unknown> } | undefined {
  const choice = request.body?.tool_choice;
  const tools = request.body?.tools ?? [];
  return choice?.type === 'tool' ? tools.find((t) => t.name === choice.name) : undefined;
}

function message(reply: FakeReply, request: RecordedRequest<AnthropicRequestBody>): unknown {
  const tool = forcedTool(request);
  const content: unknown[] = [];
  if (reply.refusal !== undefined) content.push({ type: 'text', text: reply.refusal });
  else if (reply.text !== undefined || !tool) content.push({ type: 'text', text: reply.text ?? JSON.stringify(reply.json ?? null) });
  else content.push({ type: 'tool_use', id: 'toolu_fake', name: tool.name, input: reply.json ?? {} });
  const prompt = [request.body?.system ?? '', ...(request.body?.messages ?? []).map((m) => m.content)].join('\n');
  const usage = reply.usage ?? { input: roughTokens(prompt), output: roughTokens(JSON.stringify(content)) };
  const stop = reply.finishReason ?? (reply.refusal !== undefined ? 'refusal' : content.some((b) => (b as { type: string }).type === 'tool_use') ? 'tool_use' : 'end_turn');
  return {
    id: `msg_fake${Date.now()}`,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? request.body?.model ?? 'fake-model',
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}
