// Helpers for the authorization matrix (isolation.test.ts): the magazine app with a reader role that
// has field rules, a "picks" collection whose relation reaches articles (so expanding and filtering
// along a relation meet drafts), the OAuth provider, the routes the running app registered, and the
// three kinds of credentials a caller of a tenant holds.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { exampleSpec, ROOT_TOKEN, type DriverName } from '../harness.ts';
import { authorize, Browser, clientFor, PASSWORD, REDIRECT, startOidcApp, verifiedUser, type OidcApp } from './oidc-helpers.ts';

/**
 * The magazine where anonymous callers read nothing; "admin" manages members; "reader" reads
 * everything published but not authors' email or articles' summary (a searchable field); a writer
 * may not set "featured".
 */
export function matrixSpec(): Spec {
  const base = exampleSpec('magazine');
  const { public: _public, ...roles } = base.roles ?? {};
  const r = checkSpec({
    ...base,
    collections: {
      ...base.collections,
      picks: { label: 'Picks', titleField: 'label', fields: { label: { type: 'string', required: true, max: 80, searchable: true }, article: { type: 'relation', to: 'articles' } } },
    },
    roles: {
      ...roles,
      writer: { ...roles.writer, fields: { articles: { readOnly: ['featured'] } } },
      admin: { description: 'Manages the tenant.', can: { '*': ['read', 'create', 'update', 'delete'] } },
      reader: { description: 'Reads what is published.', can: { '*': ['read'] }, fields: { authors: { hidden: ['email'] }, articles: { hidden: ['summary'] } } },
    },
    auth: { clients: [{ id: 'mobile', name: 'Mobile App', type: 'public', redirectUris: [REDIRECT] }] },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

export type MatrixApp = OidcApp & { routes: () => { method: string; url: string }[] };

export async function startMatrixApp(driverName: DriverName): Promise<MatrixApp> {
  const app = await startOidcApp(driverName, { spec: matrixSpec() });
  return { ...app, routes: () => registeredRoutes(app.fastify) };
}

/**
 * Every route the app registered, read from Fastify's own route tree (printRoutes without common
 * prefixes: each line a path segment under its parent, with its methods), HEAD left out.
 */
export function registeredRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...m[1]].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) out.push({ method, url: stack.join('') });
  }
  return out;
}

export type CredentialKind = 'session' | 'bearer' | 'apiKey';
/** How to present a credential: the headers a request carries. */
export type Credential = { kind: CredentialKind; headers: Record<string, string> };

/** Signs in with email and password; the session cookie as a Cookie header. */
export async function sessionCookie(app: OidcApp, email: string): Promise<string> {
  const res = await fetch(`${app.url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ email, password: PASSWORD }) });
  assert.equal(res.status, 200, await res.text());
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => !c.endsWith('='))
    .join('; ');
}

/** An access token for `tenant` through code + PKCE with openid-client, signed in as `email`. */
export async function accessToken(app: OidcApp, email: string, tenant: string): Promise<string> {
  const mobile = await clientFor(app, 'mobile');
  const r = await authorize(app, new Browser(app.url), mobile, { tenant, scope: 'openid email', extra: { login_hint: email } });
  const tokens = await oidc.authorizationCodeGrant(mobile, new URL(r.page.url), { pkceCodeVerifier: r.verifier, expectedState: r.state });
  return tokens.access_token;
}

/** One person of `tenant` holding `roles`, with all three kinds of credentials (the API key holds `keyRole`). */
export async function credentialsOf(app: OidcApp, email: string, tenant: string, roles: string[], keyRole: string): Promise<{ userId: string; creds: Credential[] }> {
  const userId = await verifiedUser(app, email);
  const added = await app.api(`/api/tenants/${tenant}/members`, { body: { email, roles } });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const key = await app.api(`/api/t/${tenant}/api-keys`, { body: { name: `${email} key`, role: keyRole } });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  return {
    userId,
    creds: [
      { kind: 'session', headers: { cookie: await sessionCookie(app, email), origin: app.url } },
      { kind: 'bearer', headers: { authorization: `Bearer ${await accessToken(app, email, tenant)}` } },
      { kind: 'apiKey', headers: { authorization: `Bearer ${key.body.data.key}` } },
    ],
  };
}

export type Reply = { status: number; headers: Headers; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A request as `cred` (root when absent); a FormData body is sent as multipart. */
export async function send(app: OidcApp, method: string, path: string, body?: unknown, cred?: Credential): Promise<Reply> {
  const headers: Record<string, string> = cred ? { ...cred.headers } : { authorization: `Bearer ${ROOT_TOKEN}` };
  let payload: FormData | string | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(app.url + path, { method, headers, body: payload, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
}
