// Test harness: runs the same suite once per storage driver against a real server on a real port.
// PostgreSQL tests run whenever the server is reachable; with CI=true an unreachable server fails
// the run instead of skipping it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { checkSpec } from '../src/spec/check.ts';
import type { Spec } from '../src/spec/schema.ts';
import { openDriver } from '../src/data/open-driver.ts';
import { Store } from '../src/data/store.ts';
import { setupRootToken } from '../src/auth/root-token.ts';
import { buildApp } from '../src/experience/app.ts';
import { FsBlobStore } from '../src/data/media/fs-blob-store.ts';
import type { StorageDriver } from '../src/data/driver.ts';
import { createGateway, type Gateway } from '../src/intelligence/gateway/gateway.ts';
import { readAiConfig } from '../src/intelligence/gateway/ai-config.ts';
import { allPrompts } from '../src/intelligence/prompts.ts';

export const PG_ADMIN_URL = process.env.KILN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ROOT_TOKEN = 'test-root-token-0123456789abcdef';

export type DriverName = 'sqlite' | 'postgres';

let pgReachable: boolean | undefined;
async function postgresReachable(): Promise<boolean> {
  if (pgReachable !== undefined) return pgReachable;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    pgReachable = true;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${PG_ADMIN_URL} is not reachable and CI=true: ${(e as Error).message}`);
    pgReachable = false;
  } finally {
    await c.end().catch(() => {});
  }
  return pgReachable;
}

/** The drivers to run a suite on: always SQLite; PostgreSQL when reachable (required under CI=true). */
export async function drivers(): Promise<DriverName[]> {
  return (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

export function exampleSpec(name: 'magazine' | 'blog'): Spec {
  const r = checkSpec(JSON.parse(readFileSync(new URL(`../examples/${name}/kiln.json`, import.meta.url), 'utf8')));
  if (!r.ok) throw new Error(`example ${name} is invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

/** A fresh, empty database for one driver: a temp dir for SQLite, a new database for PostgreSQL. */
export async function freshDatabase(driver: DriverName): Promise<{ env: { KILN_DATA_DIR: string; KILN_DATABASE_URL?: string }; drop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiln-test-'));
  if (driver === 'sqlite') return { env: { KILN_DATA_DIR: dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = `kiln_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { KILN_DATA_DIR: dataDir, KILN_DATABASE_URL: url.toString() },
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type TestApp = {
  url: string;
  /** KILN_DATA_DIR of this app (uploaded files live in its media/ folder). */
  dataDir: string;
  /** The environment a `kiln` command needs to open this app's database. */
  env: { KILN_DATA_DIR: string; KILN_DATABASE_URL?: string };
  store: Store;
  driver: DriverName;
  /** fetch against the app; `token: null` sends no Authorization header (default: the root token). */
  api: (path: string, init?: { method?: string; body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> }) => Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close: () => Promise<void>;
};

/** fetch against a running app; `token: null` sends no Authorization header (default: the root token). */
export function apiClient(address: string): TestApp['api'] {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== null) headers.authorization = `Bearer ${init.token ?? ROOT_TOKEN}`;
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(address + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if (text && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** Uploaded files of a test app, under its data directory as `kiln start` keeps them. */
export function blobsIn(dataDir: string): FsBlobStore {
  return new FsBlobStore(join(dataDir, 'media'));
}

/**
 * The model gateway of a test app: offline whatever the developer's KILN_AI_* variables say, or
 * configured from `aiEnv` alone (KILN_AI_PROVIDER, KILN_AI_BASE_URL of a fake server, …), with a fast queue.
 */
export async function testGateway(driver: StorageDriver, aiEnv: Record<string, string> = {}): Promise<Gateway> {
  return createGateway({ driver, config: readAiConfig(aiEnv), prompts: allPrompts, env: aiEnv, queue: { pollMs: 10, retryBaseMs: 10 } });
}

/** `aiEnv`: the KILN_AI_* variables of the app's model gateway (default: offline). */
export type ServeOptions = { aiEnv?: Record<string, string> };

/**
 * Serves an app in-process on an ephemeral port over an existing database. `prepare` runs on the
 * store before the server starts (to attach listeners); `close` stops the server and the connection.
 */
export async function serveApp(driverName: DriverName, db: { env: TestApp['env'] }, spec: Spec, prepare?: (store: Store) => void, options: ServeOptions = {}): Promise<TestApp> {
  const driver = openDriver({ databaseUrl: db.env.KILN_DATABASE_URL, dataDir: db.env.KILN_DATA_DIR, appName: spec.name });
  const store = await Store.open(driver, spec);
  prepare?.(store);
  const rootToken = await setupRootToken(driver, ROOT_TOKEN);
  const gateway = await testGateway(driver, options.aiEnv);
  const app = await buildApp({ store, rootToken, blobs: blobsIn(db.env.KILN_DATA_DIR), gateway });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    dataDir: db.env.KILN_DATA_DIR,
    env: db.env,
    store,
    driver: driverName,
    api: apiClient(address),
    close: async () => {
      await app.close();
      await gateway.stop();
      await store.close();
    },
  };
}

/** Starts the app in-process on an ephemeral port with a fresh database, dropped on close. */
export async function startApp(driverName: DriverName, spec: Spec = exampleSpec('magazine'), options: ServeOptions = {}): Promise<TestApp> {
  const db = await freshDatabase(driverName);
  const served = await serveApp(driverName, db, spec, undefined, options);
  return {
    ...served,
    close: async () => {
      await served.close();
      await db.drop();
    },
  };
}
