// The one narrow interface every model provider implements (offline, OpenAI-compatible, Anthropic),
// in the way a Kysely dialect is a small driver: the gateway's pipeline (prompts, redaction, budgets,
// cache, queue, validation) is written once against this and never knows which provider runs.

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** Asks for a JSON answer that matches this JSON Schema (OpenAI `json_schema`, Anthropic tool input). */
export type JsonResponseFormat = { name: string; schema: Record<string, unknown> };

export type ModelRequest = {
  model: string;
  messages: readonly ChatMessage[];
  responseFormat?: JsonResponseFormat;
  temperature?: number;
  maxOutputTokens?: number;
  /** Aborts the HTTP request; the provider then throws a ModelError of kind "timeout". */
  signal?: AbortSignal;
};

export type ModelUsage = { inputTokens: number; outputTokens: number };

export type ModelResponse = {
  /** The answer's text; with a responseFormat, the JSON document as text (not yet parsed or checked). */
  text: string;
  /** The model that answered, as the provider names it (`gen_ai.response.model`). */
  model: string;
  usage: ModelUsage;
  finishReason: 'stop' | 'length' | 'content_filter' | 'other';
};

export interface ModelProvider {
  /** `gen_ai.provider.name`: "openai", "anthropic", "offline", … */
  readonly name: string;
  /** One request and its answer. Failures are thrown as ModelError (model-error.ts), never as raw HTTP errors. */
  complete(request: ModelRequest): Promise<ModelResponse>;
}
