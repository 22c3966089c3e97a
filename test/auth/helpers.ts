// Helpers for the identity suites: an app whose links point at its own ephemeral port, a real SMTP
// server (smtp-server) that keeps what it receives, and a cookie jar that behaves like a browser's.
import { once } from 'node:events';
import type { TrustProxy } from '../../src/experience/trust-proxy.ts';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { openDriver } from '../../src/data/open-driver.ts';
import { Store } from '../../src/data/store.ts';
import { setupRootToken } from '../../src/auth/root-token.ts';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/experience/app.ts';
import type { Spec } from '../../src/spec/schema.ts';
import type { IdentityConfig } from '../../src/auth/identity/identity-config.ts';
import { apiClient, blobsIn, exampleSpec, freshDatabase, ROOT_TOKEN, testGateway, type DriverName, type TestApp } from '../harness.ts';

export type AuthApp = TestApp & {
  post: (path: string, body: unknown, jar?: CookieJar) => Promise<Reply>;
  put: (path: string, body: unknown, jar?: CookieJar) => Promise<Reply>;
  get: (path: string, jar?: CookieJar) => Promise<Reply>;
  /** Any request, as a browser holding `jar` sends it (Origin set, redirects not followed). */
  send: (path: string, init: RequestInit, jar?: CookieJar) => Promise<Reply>;
};

export type Reply = { status: number; headers: Headers; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The cookies one browser holds for the app. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  take(headers: Headers): void {
    for (const c of headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  /** A copy without the signed session cache: the next check must ask the database. */
  withoutCache(): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) if (!k.includes('session_data')) j.cookies.set(k, v);
    return j;
  }
}

export type FreshDatabase = Awaited<ReturnType<typeof freshDatabase>>;
export type ServedApp = { app: FastifyInstance; url: string; store: Store; close: () => Promise<void> };

/**
 * Kiln with sign-in served in this process over `db`: links and the OAuth issuer point at `publicUrl`
 * (default: the port it listens on). `options` adds to or overrides what buildApp gets. Closing
 * stops the app; the database is the caller's to drop.
 */
export async function serveIdentityApp(db: FreshDatabase, spec: Spec, o: { publicUrl?: () => string; options?: Partial<AppOptions> } = {}): Promise<ServedApp> {
  const driver = openDriver({ databaseUrl: db.env.KILN_DATABASE_URL, dataDir: db.env.KILN_DATA_DIR, appName: spec.name });
  const store = await Store.open(driver, spec);
  const rootToken = await setupRootToken(driver, ROOT_TOKEN);
  const gateway = await testGateway(driver);
  let url = '';
  const app = await buildApp({
    store,
    rootToken,
    blobs: blobsIn(db.env.KILN_DATA_DIR),
    gateway,
    identity: { config: { publicUrl: o.publicUrl ?? (() => url), cookieCacheSeconds: 300 }, mail: { from: 'Kiln Test <kiln@example.test>' } },
    trustProxy: false,
    ...o.options,
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    store,
    close: async () => {
      await app.close();
      await gateway.stop();
      await store.close();
    },
  };
}

/** `host`: the name the app's public URL uses instead of 127.0.0.1 (passkeys need a domain name, such as localhost). */
export async function startAuthApp(driverName: DriverName, o: { smtpUrl?: string; spec?: Spec; cookieCacheSeconds?: number; providerCredentials?: IdentityConfig['providerCredentials']; trustProxy?: TrustProxy; host?: string } = {}): Promise<AuthApp> {
  const db = await freshDatabase(driverName);
  let url = '';
  const served = await serveIdentityApp(db, o.spec ?? exampleSpec('blog'), {
    options: {
      identity: { config: { publicUrl: () => url, cookieCacheSeconds: o.cookieCacheSeconds ?? 300, providerCredentials: o.providerCredentials }, mail: { smtpUrl: o.smtpUrl, from: 'Kiln Test <kiln@example.test>' } },
      trustProxy: o.trustProxy ?? false,
    },
  });
  url = o.host ? served.url.replace('//127.0.0.1:', `//${o.host}:`) : served.url;
  const { store } = served;
  // Browsers send Origin with every POST; better-auth checks it against the public URL.
  const send = async (path: string, init: RequestInit, jar?: CookieJar): Promise<Reply> => {
    const headers = new Headers(init.headers);
    headers.set('origin', url);
    if (jar?.cookies.size) headers.set('cookie', jar.header());
    const res = await fetch(url + path, { ...init, headers, redirect: 'manual' });
    jar?.take(res.headers);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  return {
    url,
    dataDir: db.env.KILN_DATA_DIR,
    env: db.env,
    store,
    driver: driverName,
    api: apiClient(url),
    post: (path, body, jar) => send(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, jar),
    put: (path, body, jar) => send(path, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, jar),
    get: (path, jar) => send(path, { method: 'GET' }, jar),
    send,
    close: async () => {
      await served.close();
      await db.drop();
    },
  };
}

export type ReceivedMail = { from: string; to: string[]; raw: string };

/** A real SMTP server on a local port that accepts any login and keeps every message. */
export class SmtpInbox {
  readonly mails: ReceivedMail[] = [];
  readonly #waiters: (() => void)[] = [];
  #server: SMTPServer | undefined;
  port = 0;

  get url(): string {
    return `smtp://kiln:secret@127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: any free one). */
  async start(port = 0): Promise<void> {
    this.#server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, cb) => cb(null, { user: auth.username }),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          for (const w of this.#waiters.splice(0)) w();
          cb();
        });
      },
    });
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server.server, 'listening');
    this.port = (this.#server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** Waits for the n-th message (1-based) to arrive. */
  async nth(n: number): Promise<ReceivedMail> {
    while (this.mails.length < n) await new Promise<void>((r) => this.#waiters.push(r));
    return this.mails[n - 1];
  }
}

/** The first link to this app in a message, decoded from quoted-printable. */
export function linkIn(raw: string, base: string): string {
  const decoded = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  const m = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/api/auth/[^\\s"<>]+`).exec(decoded);
  if (!m) throw new Error(`no link to ${base} in:\n${decoded}`);
  return m[0].replace(/&amp;/g, '&');
}
