// Helpers for the OAuth / OpenID Connect suites: an app with OAuth clients in its spec, verified
// users, a browser (cookie jar, redirects followed by hand, forms submitted) and openid-client
// configured for each client.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import type { OidcOptions } from '../../src/auth/provider/open-oidc.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { apiClient, exampleSpec, freshDatabase, type DriverName, type TestApp } from '../harness.ts';
import { CookieJar, serveIdentityApp } from './helpers.ts';

export { CookieJar };

export const PASSWORD = 'correct horse battery staple';
export const REDIRECT = 'http://127.0.0.1:9/callback';
export const WEB_SECRET = 'web-client-secret-0123456789abcdef';
export const REDIS_URL = process.env.KILN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The magazine example with three clients: a confidential web app, a public mobile app, a TV. */
export function oauthSpec(): Spec {
  const spec = exampleSpec('magazine');
  return {
    ...spec,
    auth: {
      ...spec.auth,
      clients: [
        { id: 'web', name: 'Web App', type: 'confidential', redirectUris: [REDIRECT], postLogoutRedirectUris: ['http://127.0.0.1:9/bye'] },
        { id: 'mobile', name: 'Mobile App', type: 'public', redirectUris: [REDIRECT] },
        { id: 'tv', name: 'TV App', type: 'public', grants: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] },
      ],
    },
  };
}

export type OidcApp = TestApp & { issuer: string; db: { env: TestApp['env']; drop: () => Promise<void> }; fastify: FastifyInstance };

/**
 * Serves an app with the OAuth provider. `shared` serves a second app over the first one's database
 * (another process of the same deployment, so with the same public URL); `roles` stands in for
 * tenant memberships. `adminUi` shows the admin UI's pages (default: the server-rendered ones, which
 * these fetch-driven suites submit).
 */
export async function startOidcApp(
  driverName: DriverName,
  o: { spec?: Spec; shared?: OidcApp; redisUrl?: string; graceSeconds?: number; roles?: OidcOptions['roles']; keyPollMs?: number; revocationPollMs?: number; adminUi?: boolean } = {},
): Promise<OidcApp> {
  const db = o.shared?.db ?? (await freshDatabase(driverName));
  const served = await serveIdentityApp(db, o.spec ?? oauthSpec(), {
    ...(o.shared && { publicUrl: () => o.shared!.url }),
    options: {
      oauth: {
        config: { redisUrl: o.redisUrl, refreshGraceSeconds: o.graceSeconds ?? 15, clientSecret: (id) => (id === 'web' ? WEB_SECRET : undefined) },
        roles: o.roles,
        keyPollMs: o.keyPollMs,
        revocationPollMs: o.revocationPollMs,
        adminUi: () => o.adminUi ?? false,
      },
    },
  });
  return {
    url: served.url,
    issuer: `${served.url}/oidc`,
    dataDir: db.env.KILN_DATA_DIR,
    env: db.env,
    store: served.store,
    driver: driverName,
    api: apiClient(served.url),
    db,
    fastify: served.app,
    close: async () => {
      await served.close();
      if (!o.shared) await db.drop();
    },
  };
}

/** Signs up through better-auth and marks the address verified (the identity suite covers the mail). */
export async function verifiedUser(app: OidcApp, email: string): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/sign-up/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email, password: PASSWORD, name: 'Ada' }) });
  const body = (await res.json()) as { user: { id: string } };
  assert.equal(res.status, 200, JSON.stringify(body));
  await app.store.driver.db.updateTable(AUTH_TABLES.user).set({ emailVerified: app.driver === 'sqlite' ? 1 : true }).where('id', '=', body.user.id).execute();
  return body.user.id;
}

export type Page = { status: number; url: string; headers: Headers; text: string };

/** One browser: follows redirects within the app by hand, keeping cookies; stops at any other origin. */
export class Browser {
  readonly jar = new CookieJar();
  readonly #origin: string;
  constructor(origin: string) {
    this.#origin = origin;
  }

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    let next = new URL(url, this.#origin).href;
    let method = init.method ?? (init.form ? 'POST' : 'GET');
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hops = 0; hops < 20; hops++) {
      const headers = new Headers();
      if (this.jar.cookies.size) headers.set('cookie', this.jar.header());
      if (body !== undefined) {
        headers.set('content-type', 'application/x-www-form-urlencoded');
        headers.set('origin', this.#origin);
      }
      headers.set('accept', 'text/html');
      const res = await fetch(next, { method, headers, body, redirect: 'manual' });
      this.jar.take(res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const target = new URL(location, next);
        await res.arrayBuffer();
        if (target.origin !== this.#origin) return { status: res.status, url: target.href, headers: res.headers, text: '' };
        next = target.href;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: res.status, url: next, headers: res.headers, text: await res.text() };
    }
    throw new Error('too many redirects');
  }

  /** Submits the page's form whose action matches, with its hidden fields plus `fields`. */
  async submit(page: Page, fields: Record<string, string>, action?: RegExp): Promise<Page> {
    const forms = [...page.text.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)];
    const form = forms.find((f) => !action || action.test(f[1]));
    assert.ok(form, `no form in:\n${page.text}`);
    const target = /action="([^"]*)"/.exec(form[1])?.[1]?.replace(/&amp;/g, '&') ?? page.url;
    const hidden = Object.fromEntries([...form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return this.go(new URL(target, page.url).href, { form: { ...hidden, ...fields } });
  }
}

export async function clientFor(app: OidcApp, clientId: 'web' | 'mobile' | 'tv'): Promise<oidc.Configuration> {
  const auth = clientId === 'web' ? oidc.ClientSecretBasic(WEB_SECRET) : oidc.None();
  return oidc.discovery(new URL(app.issuer), clientId, clientId === 'web' ? { client_secret: WEB_SECRET } : undefined, auth, { execute: [oidc.allowInsecureRequests] });
}

/** Runs code + PKCE in the browser and returns the redirect back to the client (code and state). */
export async function authorize(app: OidcApp, browser: Browser, config: oidc.Configuration, o: { scope?: string; tenant?: string; extra?: Record<string, string>; consent?: 'allow' | 'deny' } = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const params: Record<string, string> = {
    redirect_uri: REDIRECT,
    scope: o.scope ?? 'openid email offline_access',
    prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(o.tenant ? { kiln_tenant: o.tenant } : {}),
    ...o.extra,
  };
  let page = await browser.go(oidc.buildAuthorizationUrl(config, params).href);
  if (page.text.includes('name="password"')) page = await browser.submit(page, { email: o.extra?.login_hint ?? '', password: PASSWORD });
  if (page.text.includes('name="decision"')) page = await browser.go(/action="([^"]+)"/.exec(page.text)![1], { form: { decision: o.consent ?? 'allow' } });
  return { page, verifier, state };
}

/** Reachability of Redis for the suites that need it; with CI=true an unreachable Redis fails the run. */
export async function redisReachable(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`Redis at ${REDIS_URL} is not reachable and CI=true: ${(e as Error).message}`);
    return false;
  } finally {
    r.disconnect();
  }
}
