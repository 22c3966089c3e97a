// The one HTTP exchange both providers make: POST a JSON body, read the whole answer, and turn transport
// failures (abort, timeout, refused or reset connections) into ModelErrors. Status codes are left to the
// provider, whose error bodies differ.
import { ModelError } from '../model-error.ts';

export type PostJson = {
  provider: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  body: unknown;
  /** The caller's signal (the gateway queue's job timeout or a shutdown). */
  signal?: AbortSignal;
  /** The provider's own limit, so a hung connection never holds a queue slot forever. */
  timeoutMs: number;
};

export type JsonAnswer = {
  status: number;
  headers: Headers;
  /** The body as text, for error messages when it is not JSON. */
  text: string;
  /** The parsed body; undefined when it was not JSON. */
  json: unknown;
};

export async function postJson(request: PostJson): Promise<JsonAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      signal,
    });
    // The body is read under the same signal: a server that sends headers and then stalls times out too.
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJson(text) };
  } catch (error) {
    if (request.signal?.aborted) {
      throw new ModelError('timeout', `${request.provider}: the request was aborted before the model answered`, { cause: error });
    }
    if (timeout.aborted) {
      throw new ModelError('timeout', `${request.provider}: no answer within ${request.timeoutMs} ms`, { cause: error });
    }
    throw new ModelError('server', `${request.provider}: could not reach ${new URL(request.url).origin} (${networkCode(error)})`, { cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** undici wraps the socket error: `TypeError: fetch failed` with `cause.code` ECONNREFUSED, UND_ERR_SOCKET, … */
function networkCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause && typeof cause === 'object') {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return error instanceof Error ? error.message : String(error);
}
