// What the rest of Kiln asks of the intelligence plane: one call shape for every model-backed task
// (planning an app, editing a spec, an AI content action). The caller supplies the task's offline
// implementation and the check its output must pass; the gateway decides whether a model runs at all,
// and every call goes through the same pipeline: prompt registry → redaction → budget → cache →
// durable queue → provider → output validation with repair → offline fallback.

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export type GatewayCall<T> = {
  /** Budgets, flags and the audit log are per tenant; "_" for work outside any tenant (the builder CLI). */
  tenant: string;
  /** Set for per-user memoization: the user is part of the cache key. */
  user?: string;
  /** A prompt of the registry, for example "builder.plan". */
  prompt: string;
  /** Filled into the prompt's template. Redacted before they leave the process. */
  variables: Readonly<Record<string, string>>;
  /** JSON Schema the model's answer must match (sent as the response format). */
  schema: Record<string, unknown>;
  /** The task's own checks on the parsed answer; problems go back to the model for repair. */
  validate: (json: unknown) => Validation<T>;
  /** The offline implementation: the default provider and the last fallback. */
  offline: () => T | Promise<T>;
  /** How long a per-user memoized answer is reused (with `user`). */
  memoizeTtlMs?: number;
  /** A retried request with the same key never runs or bills twice. */
  idempotencyKey?: string;
};

export type GatewayResult<T> = {
  value: T;
  /** "model": a provider answered; "cache": a stored answer; "offline": the offline implementation. */
  source: 'model' | 'cache' | 'offline';
  provider: string;
  model: string;
  promptVersion: string;
  /** Soft budget limit reached, fallback taken, repairs needed, … */
  notes: string[];
  /** Id of the call in the AI log. */
  callId: string;
};

export interface ModelGateway {
  run<T>(call: GatewayCall<T>): Promise<GatewayResult<T>>;
}

/** Thrown by a task's offline implementation when the task has none (translation needs a model). */
export class NoOfflineImplementationError extends Error {
  readonly task: string;

  constructor(task: string, message: string) {
    super(message);
    this.name = 'NoOfflineImplementationError';
    this.task = task;
  }
}

/**
 * A model provider is configured, no model gave a usable answer, and the task has no offline
 * implementation to fall back to: a fault of the provider, not of the request or the setup.
 */
/**
 * The idempotency key names an earlier call that failed, or whose process stopped before it
 * finished: its result cannot be replayed, and running it again under the same key would break the
 * promise the key makes. The caller retries with a new key.
 */
export class IdempotencyKeyError extends Error {
  readonly key: string;
  readonly firstCall: string;

  constructor(key: string, firstCall: string, why: string) {
    super(`The idempotency key "${key}" belongs to call ${firstCall}, which ${why}; send the request again with a new key`);
    this.name = 'IdempotencyKeyError';
    this.key = key;
    this.firstCall = firstCall;
  }
}

export class ModelUnavailableError extends Error {
  readonly task: string;
  /** Why each model failed, as the gateway noted it. */
  readonly reasons: readonly string[];

  constructor(task: string, reasons: readonly string[], cause: unknown) {
    super(`No model answered ${task} usably: ${reasons.join('; ') || 'no reason recorded'}`, { cause });
    this.name = 'ModelUnavailableError';
    this.task = task;
    this.reasons = reasons;
  }
}
