// What the webhook suites share: an app whose database outlives it (to restart on the same data),
// a real HTTP receiver on 127.0.0.1 that verifies signatures with the independent Standard Webhooks
// library, and bounded polling.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { freshDatabase, serveApp, type DriverName, type TestApp } from '../harness.ts';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import type { Store } from '../../src/data/store.ts';
import { startWebhooks, type WebhookOptions, type WebhookRuntime } from '../../src/data/webhooks/webhooks.ts';
import { DbQueue } from '../../src/data/queue/db-queue.ts';
import { attachWebhooks } from '../../src/data/webhooks/enqueue.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/** Retries in milliseconds instead of seconds, so the suites run quickly; the logic is the same. */
export const FAST: WebhookOptions = { retryBaseMs: 20, retryMaxDelayMs: 200, pollMs: 10, timeoutMs: 3000, maxAttempts: 12, failureLimit: 10, failureWindowMs: 0 };

export type Database = Awaited<ReturnType<typeof freshDatabase>>;

/** A small multi-tenant app of the suites' own, so changes to the example specs do not move these tests. */
export function newsSpec(): Spec {
  const r = checkSpec({
    kiln: 1,
    name: 'news',
    tenancy: 'multi',
    collections: {
      authors: { fields: { name: { type: 'string', required: true, max: 120 } } },
      categories: { fields: { name: { type: 'string', required: true, max: 80 } } },
      tags: { fields: { name: { type: 'string', required: true, max: 60, unique: true } } },
      articles: {
        fields: {
          title: { type: 'string', required: true, max: 200 },
          author: { type: 'relation', to: 'authors', required: true },
          tags: { type: 'relation', to: 'tags', many: true },
        },
      },
    },
  });
  if (!r.ok) throw new Error(`the test spec is invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

export type WebhookApp = Omit<TestApp, 'close'> & {
  /** The worker, or null when the app only queues (a server whose worker is down). */
  runtime: WebhookRuntime | null;
  queue: DbQueue;
  /** Stops the worker and the server and closes the database connection; the database itself stays. */
  close: () => Promise<void>;
};

/** Starts the app on an existing database with the webhook listener attached and, unless `worker: false`, a worker. */
export async function openApp(driverName: DriverName, db: Database, options: WebhookOptions & { worker?: boolean; spec?: Spec } = {}): Promise<WebhookApp> {
  const { worker = true, spec = newsSpec(), ...webhookOptions } = options;
  // The queue needs the driver before the store exists; the store's own driver is the same connection.
  let runtime: WebhookRuntime | null = null;
  let queue: DbQueue | undefined;
  const served = await serveApp(driverName, db, spec, (store: Store) => {
    queue = new DbQueue(store.driver);
    runtime = worker ? startWebhooks(store.driver, { ...FAST, ...webhookOptions, queue }) : null;
    if (runtime) runtime.attach(store);
    else attachWebhooks(store, queue);
  });
  const rt = runtime as WebhookRuntime | null;
  return {
    ...served,
    runtime: rt,
    queue: queue!,
    close: async () => {
      await rt?.stop();
      await served.close();
    },
  };
}

/** A fresh database and an app on it; `drop` removes the database after the app is closed. */
export async function startWebhookApp(driverName: DriverName, options: Parameters<typeof openApp>[2] = {}): Promise<{ app: WebhookApp; db: Database; done: () => Promise<void> }> {
  const db = await freshDatabase(driverName);
  const app = await openApp(driverName, db, options);
  return {
    app,
    db,
    done: async () => {
      await app.close();
      await db.drop();
    },
  };
}

export type Received = { headers: IncomingHttpHeaders; body: string; path: string; status: number };

export type Receiver = {
  url: string;
  /** Every request, in arrival order, with the status it was answered with. */
  requests: Received[];
  /** Requests answered 2xx whose signature verified, parsed. */
  accepted: () => Json[];
  close: () => Promise<void>;
};

/**
 * A webhook receiver on 127.0.0.1. `answer` picks the status for each request (the count of earlier
 * requests with the same webhook-id is passed, to fail the first attempts of each message).
 */
export async function startReceiver(answer: (r: { headers: IncomingHttpHeaders; body: string; seen: number }) => number = () => 204): Promise<Receiver> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const seen = requests.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length;
      const status = answer({ headers: req.headers, body, seen });
      requests.push({ headers: req.headers, body, path: req.url ?? '/', status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => JSON.parse(r.body) as Json),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Verifies a received request with the Standard Webhooks reference library and returns the parsed body. */
export function verify(secret: string, r: Received): Json {
  return new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Json;
}

/** Polls until `check` returns a value other than undefined/false, for at most `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function createTenant(app: Pick<TestApp, 'api'>, slug: string): Promise<void> {
  const r = await app.api('/api/tenants', { body: { slug, name: slug.toUpperCase() } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

export async function subscribe(app: Pick<TestApp, 'api'>, tenant: string, body: Json): Promise<Json> {
  const r = await app.api(`/api/t/${tenant}/webhooks`, { body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

export async function create(app: Pick<TestApp, 'api'>, tenant: string, collection: string, body: Json): Promise<Json> {
  const r = await app.api(`/api/t/${tenant}/${collection}`, { body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

export async function deliveries(app: Pick<TestApp, 'api'>, tenant: string, id: string): Promise<Json[]> {
  const r = await app.api(`/api/t/${tenant}/webhooks/${id}/deliveries?limit=200`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data;
}
