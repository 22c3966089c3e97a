// Anthropic Messages (`POST {baseUrl}/v1/messages`). System messages go to the top-level `system`;
// a structured answer is asked for as one forced tool whose `input_schema` is the schema, and the
// tool call's `input` comes back as the JSON text.
import { ModelError } from '../model-error.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from '../model-provider.ts';
import { bodySnippet, httpFailure } from './http-failure.ts';
import { postJson, type JsonAnswer } from './post-json.ts';
import { resetWaitMs, retryAfterMs, untilTimestamp } from './retry-after.ts';
import { wireSchema, type WireSchema } from './wire-schema.ts';

export type AnthropicOptions = {
  /** Without the version segment: `https://api.anthropic.com` (default). A trailing `/v1` is tolerated. */
  baseUrl?: string;
  apiKey?: string;
  /** Per request, on top of the caller's signal. Default 60 s. */
  timeoutMs?: number;
  /** The API requires `max_tokens`; used when the request does not set maxOutputTokens. Default 4096. */
  defaultMaxTokens?: number;
  /** `anthropic-version` header. Default 2023-06-01. */
  version?: string;
};

type ContentBlock = { type?: unknown; text?: unknown; name?: unknown; input?: unknown };
type Message = {
  model?: unknown;
  content?: unknown;
  stop_reason?: unknown;
  usage?: { input_tokens?: unknown; output_tokens?: unknown; cache_creation_input_tokens?: unknown; cache_read_input_tokens?: unknown };
};

export class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic';
  readonly #url: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #defaultMaxTokens: number;
  readonly #version: string;

  constructor(options: AnthropicOptions = {}) {
    const base = (options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '').replace(/\/v1$/, '');
    this.#url = `${base}/v1/messages`;
    this.#apiKey = options.apiKey || undefined;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 4096;
    this.#version = options.version ?? '2023-06-01';
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const wire = request.responseFormat ? wireSchema(request.responseFormat) : undefined;
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    const body: Record<string, unknown> = {
      model: request.model,
      max_tokens: request.maxOutputTokens ?? this.#defaultMaxTokens,
      messages: request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
    };
    if (system.length > 0) body.system = system.join('\n\n');
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (wire) {
      body.tools = [{ name: wire.name, description: 'Give the answer as this tool call\'s input.', input_schema: wire.schema }];
      body.tool_choice = { type: 'tool', name: wire.name };
    }

    const headers: Record<string, string> = { 'anthropic-version': this.#version };
    if (this.#apiKey) headers['x-api-key'] = this.#apiKey;
    const answer = await postJson({ provider: this.name, url: this.#url, headers, body, signal: request.signal, timeoutMs: this.#timeoutMs });
    if (answer.status < 200 || answer.status > 299) throw this.#failure(answer);
    return this.#response(answer, request.model, wire);
  }

  #response(answer: JsonAnswer, requestedModel: string, wire: WireSchema | undefined): ModelResponse {
    const message = answer.json as Message | undefined;
    if (!isObject(message) || !Array.isArray(message.content)) {
      throw new ModelError('server', `${this.name}: HTTP ${answer.status} but the body is not a message: ${bodySnippet(answer.text)}`, { status: answer.status });
    }
    if (message.stop_reason === 'refusal') {
      throw new ModelError('content_filtered', `${this.name}: the model refused (stop_reason "refusal")`, { status: answer.status });
    }
    const blocks = message.content.filter(isObject) as ContentBlock[];
    const call = wire ? blocks.find((b) => b.type === 'tool_use' && b.name === wire.name) : undefined;
    const text = call && wire
      ? JSON.stringify(wire.unwrap(call.input) ?? null)
      : blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('');
    const usage = message.usage;
    return {
      text,
      model: typeof message.model === 'string' && message.model !== '' ? message.model : requestedModel,
      usage: {
        // Cached prompt tokens are still prompt tokens for the budget.
        inputTokens: count(usage?.input_tokens) + count(usage?.cache_creation_input_tokens) + count(usage?.cache_read_input_tokens),
        outputTokens: count(usage?.output_tokens),
      },
      finishReason: finishReason(message.stop_reason),
    };
  }

  #failure(answer: JsonAnswer): ModelError {
    // { type: "error", error: { type, message }, request_id }
    const root = isObject(answer.json) ? answer.json : {};
    const error = isObject(root.error) ? root.error : {};
    const type = typeof error.type === 'string' ? error.type : undefined;
    const message = typeof error.message === 'string' ? error.message : bodySnippet(answer.text);
    const h = answer.headers;
    const now = Date.now();
    return httpFailure({
      provider: this.name,
      status: answer.status,
      type,
      message,
      contextTooLong: type === 'request_too_large'
        || (type === 'invalid_request_error' && /prompt is too long|too many (input )?tokens|context (window|length)/i.test(message)),
      contentFiltered: false,
      quotaExhausted: false,
      retryAfterMs: retryAfterMs(h, now) ?? resetWaitMs(['requests', 'tokens', 'input-tokens', 'output-tokens'].map((d) => ({
        remaining: h.get(`anthropic-ratelimit-${d}-remaining`),
        resetInMs: untilTimestamp(h.get(`anthropic-ratelimit-${d}-reset`), now),
      }))),
      apiKey: this.#apiKey,
    });
  }
}

function finishReason(stop: unknown): ModelResponse['finishReason'] {
  // A forced tool call ends with "tool_use": for us that is the complete answer.
  if (stop === 'end_turn' || stop === 'stop_sequence' || stop === 'tool_use') return 'stop';
  if (stop === 'max_tokens' || stop === 'model_context_window_exceeded') return 'length';
  return 'other';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
