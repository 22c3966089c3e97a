// A provider's HTTP error answer as a typed ModelError. The status decides the kind unless the body says
// more (a 400 that is really "context too long", a 429 that is really an exhausted quota); the message
// keeps the provider's own words, minus anything that looks like an API key, because providers echo keys.
import { ModelError, type ModelErrorKind } from '../model-error.ts';

export type HttpFailure = {
  provider: string;
  status: number;
  /** The error's type or code from the body (`invalid_request_error`, `context_length_exceeded`, …). */
  type: string | undefined;
  /** The provider's message, or a snippet of a body that was not JSON. */
  message: string;
  contextTooLong: boolean;
  contentFiltered: boolean;
  /** A 429 that waiting will not fix (OpenAI `insufficient_quota`). */
  quotaExhausted: boolean;
  retryAfterMs: number | undefined;
  /** The configured key, removed from the message wherever it appears. */
  apiKey: string | undefined;
};

export function httpFailure(failure: HttpFailure): ModelError {
  const kind = kindOf(failure);
  const type = failure.type ? ` ${failure.type}` : '';
  const text = scrubSecrets(failure.message, failure.apiKey);
  const message = `${failure.provider}: HTTP ${failure.status}${type}: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}`;
  return new ModelError(kind, message, {
    status: failure.status,
    retryAfterMs: kind === 'rate_limited' ? failure.retryAfterMs : undefined,
  });
}

function kindOf(f: HttpFailure): ModelErrorKind {
  if (f.status === 429) return f.quotaExhausted ? 'auth' : 'rate_limited';
  if (f.contextTooLong || f.status === 413) return 'context_too_long';
  if (f.contentFiltered) return 'content_filtered';
  // 402: billing. Retrying cannot fix an account problem, so it goes the way of a bad key.
  if (f.status === 401 || f.status === 402 || f.status === 403) return 'auth';
  if (f.status === 408) return 'timeout';
  // 409 (Anthropic conflict_error) is transient; 529 is Anthropic's "overloaded".
  if (f.status === 409 || f.status >= 500) return 'server';
  if (f.status >= 400) return 'bad_request';
  return 'server';
}

/** Removes the configured key and anything shaped like a provider key (`sk-…`, masked or not). */
export function scrubSecrets(text: string, apiKey: string | undefined): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\bsk-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

/** A short, single-line view of a body that was not the JSON the provider documents (an HTML error page, …). */
export function bodySnippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
