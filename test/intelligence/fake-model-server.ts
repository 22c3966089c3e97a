// The machinery both fake provider servers share (fake-openai-server.ts, fake-anthropic-server.ts):
// a real HTTP server on 127.0.0.1 that records every request and answers from a queue of scripted
// replies, then from a handler, then with a default answer that fits the request's JSON Schema.
// Use the two provider modules; this one holds what they have in common.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest<Body> = {
  method: string;
  /** Path and query, e.g. "/v1/chat/completions". */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: Body;
  /** The body as sent. */
  raw: string;
};

/** One scripted answer. Without `status`, `drop` or `body` it is a successful completion. */
export type FakeReply = {
  /** The model's answer is this JSON document: OpenAI message content, or the Anthropic forced tool's input. */
  json?: unknown;
  /** The model's answer is this text verbatim, e.g. broken JSON for a repair test. */
  text?: string;
  /** The model refuses: OpenAI `message.refusal`; Anthropic `stop_reason: "refusal"`. */
  refusal?: string;
  /** The wire value: OpenAI `finish_reason` ("length", "content_filter"), Anthropic `stop_reason` ("max_tokens"). */
  finishReason?: string;
  /** Token counts to report; default: about one token per four characters. */
  usage?: { input: number; output: number };
  /** The model to report; default: the requested one. */
  model?: string;
  /** A non-completion HTTP answer: this status, with `body` (a string is sent verbatim, anything else as JSON). */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (the provider's timeout or the caller's abort should win). */
  delayMs?: number;
  /** Close the connection without answering. */
  drop?: boolean;
};

/** A promise holds the request open until it settles (to count requests in flight without timing). */
export type FakeHandler<Body> = (request: RecordedRequest<Body>) => FakeReply | undefined | Promise<FakeReply | undefined>;

export type FakeModelServer<Body> = {
  /** The base URL to configure the provider with. */
  url: string;
  /** Every request received, in order: count them to prove cache hits and idempotency. */
  requests: RecordedRequest<Body>[];
  /** Queues answers, used one per request in order. */
  reply(...replies: FakeReply[]): void;
  /** Answers requests once the queue is empty (return undefined for the default answer, a promise to hold the request open). */
  handle(handler: FakeHandler<Body> | undefined): void;
  /** Scripted replies not used yet. */
  pending(): number;
  close(): Promise<void>;
};

/** What a provider module supplies: its route, its success body and its error body. */
export type WireFormat<Body> = {
  path: string;
  /** A rejection of the request's credentials, or undefined when they are fine. */
  checkAuth(request: RecordedRequest<Body>): FakeReply | undefined;
  /** The default answer: JSON fitting the request's schema, or plain text. */
  defaultReply(request: RecordedRequest<Body>): FakeReply;
  completion(reply: FakeReply, request: RecordedRequest<Body>): unknown;
  error(status: number, message: string): unknown;
};

export async function startFakeModelServer<Body>(format: WireFormat<Body>, prefix: string): Promise<FakeModelServer<Body>> {
  const requests: RecordedRequest<Body>[] = [];
  const queue: FakeReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let handler: FakeHandler<Body> | undefined;

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const request: RecordedRequest<Body> = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: headersOf(req),
        body: parseJson(raw) as Body,
        raw,
      };
      requests.push(request);
      const scripted = routeError(request) ?? format.checkAuth(request) ?? queue.shift();
      return Promise.resolve(scripted ?? handler?.(request)).then((handled) => {
        const reply = handled ?? format.defaultReply(request);
        if (reply.delayMs === undefined) return send(res, reply, request);
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, reply, request);
        }, reply.delayMs);
        timers.add(timer);
      });
    });
  });

  function routeError(request: RecordedRequest<Body>): FakeReply | undefined {
    if (request.method === 'POST' && request.path.split('?')[0] === format.path) return undefined;
    return { status: 404, body: format.error(404, `${request.method} ${request.path} is not a route of this server`) };
  }

  function send(res: ServerResponse, reply: FakeReply, request: RecordedRequest<Body>): void {
    if (res.destroyed) return; // the client gave up (timeout, abort)
    if (reply.drop) {
      res.socket?.destroy();
      return;
    }
    const status = reply.status ?? 200;
    const body = reply.body ?? (status === 200 ? format.completion(reply, request) : format.error(status, `scripted HTTP ${status}`));
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    handle: (next) => {
      handler = next;
    },
    pending: () => queue.length,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A minimal document that satisfies common JSON Schemas: the default answer for a structured request. */
export function exampleFor(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (schema === null || typeof schema !== 'object' || depth > 20) return null;
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') return exampleFor(resolveRef(root, s.$ref), root, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s) return s.default;
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(s[key]) && s[key].length > 0) return exampleFor(s[key][0], root, depth + 1);
  }
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, exampleFor(p, root, depth + 1)]));
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: min }, () => exampleFor(s.items, root, depth + 1));
    }
    case 'string': {
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      return 'x'.repeat(min);
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** About one token per four characters, like the providers' own rough counts. */
export function roughTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return at;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(req.headers)) if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
