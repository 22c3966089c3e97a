// Setup for the auth cases, against a running Kiln child: a verified person who is an editor of the
// bench tenant, and an access token (an RFC 9068 JWT) obtained the way a real client does, with
// openid-client: authorization code + PKCE through Kiln's sign-in and consent pages.
import { DatabaseSync } from 'node:sqlite';
import * as oidc from 'openid-client';
import { AUTH_TABLES } from '../src/auth/identity/auth-schema.ts';
import { BENCH_CLIENT, BENCH_EMAIL, BENCH_PASSWORD, BENCH_REDIRECT } from './auth-spec.ts';

async function check(res: Response, what: string, status = 200): Promise<string> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

/** Signs the bench person up, marks the address verified (the mail is not what is measured) and makes them an editor of `tenant`. */
export async function benchPerson(url: string, dbFile: string, rootToken: string, tenant: string): Promise<void> {
  await check(await fetch(`${url}/api/auth/sign-up/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD, name: 'Bench' }) }), 'sign-up');
  const db = new DatabaseSync(dbFile);
  try {
    db.prepare(`update "${AUTH_TABLES.user}" set "emailVerified" = 1 where "email" = ?`).run(BENCH_EMAIL);
  } finally {
    db.close();
  }
  await check(await fetch(`${url}/api/tenants/${tenant}/members`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${rootToken}` }, body: JSON.stringify({ email: BENCH_EMAIL, roles: ['editor'] }) }), 'membership', 201);
}

/**
 * A minimal browser: keeps cookies, follows redirects within the app, stops at the client's redirect.
 * With the admin UI built, the interaction goes on to /admin/consent/:uid, whose page confirms
 * through the interaction's JSON endpoint for the person signed in there (the session cookie made
 * first); without it, the provider's own sign-in and consent forms are filled in.
 */
async function browse(start: string, origin: string): Promise<string> {
  const cookies = new Map<string, string>();
  const take = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  take(await fetch(`${origin}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD }) }));
  let next = start;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const headers: Record<string, string> = { accept: 'text/html', ...(cookies.size && { cookie: cookieHeader() }) };
    if (body) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', origin });
    const res = await fetch(next, { method, headers, body, redirect: 'manual' });
    take(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      const target = new URL(location, next);
      if (target.origin !== origin) return target.href;
      [next, method, body] = [target.href, 'GET', undefined];
      continue;
    }
    const html = await res.text();
    const uid = /\/admin\/consent\/([^/?]+)$/.exec(new URL(next).pathname)?.[1];
    if (uid) {
      const confirmed = await fetch(`${origin}/oidc/interaction/${uid}/confirm`, { method: 'POST', headers: { cookie: cookieHeader(), 'content-type': 'application/json', origin }, body: '{}' });
      const to = ((await confirmed.json()) as { data?: { redirectTo?: string } }).data?.redirectTo;
      if (!confirmed.ok || !to) throw new Error(`consent at ${next}: ${confirmed.status}`);
      [next, method, body] = [new URL(to, next).href, 'GET', undefined];
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    if (!action) throw new Error(`no form at ${next}: ${html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const fields: Record<string, string> = html.includes('name="password"') ? { email: BENCH_EMAIL, password: BENCH_PASSWORD } : { decision: 'allow' };
    [next, method, body] = [new URL(action, next).href, 'POST', new URLSearchParams({ ...hidden, ...fields }).toString()];
  }
  throw new Error('too many redirects');
}

/** An access token for the bench person in `tenant`, by authorization code + PKCE. */
export async function benchAccessToken(url: string, tenant: string): Promise<string> {
  const config = await oidc.discovery(new URL(`${url}/oidc`), BENCH_CLIENT, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: BENCH_REDIRECT,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    kiln_tenant: tenant,
  });
  const back = await browse(authUrl.href, new URL(url).origin);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, expectedState: state });
  return tokens.access_token;
}
