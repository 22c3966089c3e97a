// OpenAI-compatible Chat Completions (`POST {baseUrl}/chat/completions`): OpenAI itself, and the local
// servers that copy its wire format (Ollama, vLLM, llama.cpp server). Structured answers use
// `response_format: json_schema`; the answer is `choices[0].message.content`.
import { ModelError } from '../model-error.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from '../model-provider.ts';
import { bodySnippet, httpFailure } from './http-failure.ts';
import { postJson, type JsonAnswer } from './post-json.ts';
import { durationMs, resetWaitMs, retryAfterMs } from './retry-after.ts';
import { wireSchema, type WireSchema } from './wire-schema.ts';
import { fitsStrictMode } from './strict-schema.ts';

export type OpenAiCompatibleOptions = {
  /** Up to and including the version segment: `https://api.openai.com/v1`, `http://localhost:11434/v1`. */
  baseUrl?: string;
  /** Sent as a bearer token; local servers usually need none. */
  apiKey?: string;
  /** `gen_ai.provider.name`: "openai" (default), or e.g. "ollama", "vllm". */
  name?: string;
  /** Per request, on top of the caller's signal. Default 60 s. */
  timeoutMs?: number;
  /** OpenAI's newer models refuse `max_tokens`; most compatible servers only know it. Default `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** `json_schema.strict`: constrained decoding where the server supports it, for schemas strict mode accepts. Default true. */
  strict?: boolean;
};

type ChatCompletion = {
  model?: unknown;
  choices?: { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
};

export class OpenAiCompatibleProvider implements ModelProvider {
  readonly name: string;
  readonly #url: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxTokensField: 'max_tokens' | 'max_completion_tokens';
  readonly #strict: boolean;

  constructor(options: OpenAiCompatibleOptions = {}) {
    this.name = options.name ?? 'openai';
    this.#url = `${(options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/chat/completions`;
    this.#apiKey = options.apiKey || undefined;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxTokensField = options.maxTokensField ?? 'max_tokens';
    this.#strict = options.strict ?? true;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const wire = request.responseFormat ? wireSchema(request.responseFormat) : undefined;
    const body: Record<string, unknown> = {
      model: request.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxOutputTokens !== undefined) body[this.#maxTokensField] = request.maxOutputTokens;
    if (wire) body.response_format = { type: 'json_schema', json_schema: { name: wire.name, schema: wire.schema, strict: this.#strict && fitsStrictMode(wire.schema) } };

    const answer = await postJson({
      provider: this.name,
      url: this.#url,
      headers: this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {},
      body,
      signal: request.signal,
      timeoutMs: this.#timeoutMs,
    });
    if (answer.status < 200 || answer.status > 299) throw this.#failure(answer);
    return this.#response(answer, request.model, wire);
  }

  #response(answer: JsonAnswer, requestedModel: string, wire: WireSchema | undefined): ModelResponse {
    const completion = answer.json as ChatCompletion | undefined;
    const choice = isObject(completion) && Array.isArray(completion.choices) ? completion.choices[0] : undefined;
    if (!isObject(choice) || !isObject(choice.message)) {
      throw new ModelError('server', `${this.name}: HTTP ${answer.status} but the body is not a chat completion: ${bodySnippet(answer.text)}`, { status: answer.status });
    }
    const refusal = choice.message.refusal;
    if (typeof refusal === 'string' && refusal !== '') {
      throw new ModelError('content_filtered', `${this.name}: the model refused: ${refusal}`, { status: answer.status });
    }
    if (choice.finish_reason === 'content_filter') {
      throw new ModelError('content_filtered', `${this.name}: the answer was stopped by the content filter`, { status: answer.status });
    }
    const content = typeof choice.message.content === 'string' ? choice.message.content : '';
    const usage = completion?.usage;
    return {
      text: wire ? unwrapText(content, wire) : content,
      model: typeof completion?.model === 'string' && completion.model !== '' ? completion.model : requestedModel,
      usage: { inputTokens: count(usage?.prompt_tokens), outputTokens: count(usage?.completion_tokens) },
      finishReason: choice.finish_reason === 'stop' ? 'stop' : choice.finish_reason === 'length' ? 'length' : 'other',
    };
  }

  #failure(answer: JsonAnswer): ModelError {
    // OpenAI and Ollama: { error: { message, type, code } }; llama.cpp puts a number in `code` and the
    // kind in `type`; vLLM: { object: "error", message, type, code }.
    const root = isObject(answer.json) ? answer.json : {};
    const error: Record<string, unknown> = isObject(root.error) ? root.error : typeof root.error === 'string' ? { message: root.error } : root;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const type = typeof error.type === 'string' ? error.type : undefined;
    const message = typeof error.message === 'string' ? error.message : bodySnippet(answer.text);
    const h = answer.headers;
    return httpFailure({
      provider: this.name,
      status: answer.status,
      type: code ?? type,
      message,
      contextTooLong: code === 'context_length_exceeded' || type === 'exceed_context_size_error'
        || /maximum context length|context (length|size|window)|too many tokens|prompt is too long/i.test(message),
      contentFiltered: code === 'content_filter' || code === 'content_policy_violation',
      quotaExhausted: code === 'insufficient_quota',
      retryAfterMs: retryAfterMs(h) ?? resetWaitMs([
        { remaining: h.get('x-ratelimit-remaining-requests'), resetInMs: durationMs(h.get('x-ratelimit-reset-requests')) },
        { remaining: h.get('x-ratelimit-remaining-tokens'), resetInMs: durationMs(h.get('x-ratelimit-reset-tokens')) },
      ]),
      apiKey: this.#apiKey,
    });
  }
}

/** Back to the caller's schema; text that is not JSON is left for the gateway's repair loop. */
function unwrapText(content: string, wire: WireSchema): string {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return content;
  }
  const value = wire.unwrap(json);
  return value === json ? content : JSON.stringify(value);
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
