// Typed provider failures. Only the kinds that can succeed on a second try are retried; the rest
// go straight to the fallback (smaller model, then the offline implementation) or to the caller.

export type ModelErrorKind = 'rate_limited' | 'timeout' | 'context_too_long' | 'content_filtered' | 'bad_request' | 'auth' | 'server';

const RETRYABLE: ReadonlySet<ModelErrorKind> = new Set(['rate_limited', 'timeout', 'server']);

export class ModelError extends Error {
  readonly kind: ModelErrorKind;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status: number | undefined;
  /** From Retry-After (or the provider's own reset header) on a rate-limited answer. */
  readonly retryAfterMs: number | undefined;

  constructor(kind: ModelErrorKind, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ModelError';
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}
