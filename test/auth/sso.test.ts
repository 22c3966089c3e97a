// Social/SSO sign-in against a real upstream OpenID provider (a second oidc-provider instance), once
// per driver: the browser's whole redirect dance is driven with fetch and one cookie jar. Sign-in
// starts at Kiln, goes to the IdP, comes back to Kiln's callback and ends signed in; an IdP account
// links to an existing user only when the IdP says the email is verified; a tenant-restricted
// provider admits that tenant's members only; a person who enrolled an authenticator still gives the
// second factor after the IdP (the IdP's own sign-in does not stand in for it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { drivers } from '../harness.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { externalSignIn } from '../../src/auth/identity/external-providers.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { CookieJar, SmtpInbox, startAuthApp, type AuthApp } from './helpers.ts';
import { magazineWithAuth, Mailbox, totpCode, verifiedPerson } from './identity-helpers.ts';
import { UpstreamIdp } from './sso-idp.ts';

const CREDENTIALS: Record<string, { clientId: string; clientSecret: string }> = {
  corp: { clientId: 'kiln-corp', clientSecret: 'corp-secret-0123456789' },
  partner: { clientId: 'kiln-partner', clientSecret: 'partner-secret-0123456789' },
};

for (const driver of await drivers()) {
  describe(`SSO sign-in (${driver})`, () => {
    let app: AuthApp;
    let idp: UpstreamIdp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    before(async () => {
      idp = new UpstreamIdp();
      await idp.listen();
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      const spec = magazineWithAuth({
        providers: [
          { id: 'corp', type: 'oidc', issuer: idp.issuer, label: 'Corp SSO' },
          { id: 'partner', type: 'oidc', issuer: idp.issuer, tenants: ['acme'] },
        ],
      });
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec, providerCredentials: (id) => CREDENTIALS[id] });
      idp.configure(Object.entries(CREDENTIALS).map(([id, c]) => ({ client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: [`${app.url}/api/auth/callback/${id}`] })));
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      for (const slug of ['acme', 'globex']) assert.equal((await app.api('/api/tenants', { method: 'POST', body: { slug, name: slug } })).status, 201);
    });
    after(async () => {
      await worker.stop();
      await app.close();
      await idp.close();
      await inbox.stop();
    });

    /**
     * Follows every redirect like a browser until it lands on a Kiln page outside the callback; returns
     * that URL. `setCookies` collects every Set-Cookie Kiln's callback answered, expired ones included.
     */
    async function signInThrough(provider: string, jar: CookieJar, setCookies: string[] = []): Promise<URL> {
      const start = await app.post('/api/auth/sign-in/social', { provider, callbackURL: '/api/me' }, jar);
      assert.equal(start.status, 200, JSON.stringify(start.body));
      let url = new URL(start.body.url);
      assert.equal(url.origin, idp.issuer, 'the browser goes to the IdP');
      for (let hops = 0; hops < 20; hops++) {
        if (url.origin === app.url && !url.pathname.startsWith('/api/auth/callback/')) return url;
        const res = await fetch(url, { headers: jar.cookies.size ? { cookie: jar.header() } : {}, redirect: 'manual' });
        jar.take(res.headers);
        if (url.origin === app.url) setCookies.push(...res.headers.getSetCookie());
        const location = res.headers.get('location');
        assert.ok(res.status >= 300 && res.status < 400 && location, `${url} answered ${res.status}: ${await res.text()}`);
        url = new URL(location, url);
      }
      throw new Error('too many redirects');
    }

    test('the public sign-in options name the providers that admit everyone, without secrets', async () => {
      const options = await app.get('/api/sign-in-options');
      assert.equal(options.status, 200);
      assert.deepEqual(options.body.data, {
        password: true,
        magicLink: false,
        passkey: false,
        signUp: 'open',
        passwordLength: { min: 8, max: 128 },
        providers: [{ id: 'corp', type: 'oidc', label: 'Corp SSO', provider: 'corp' }],
        // "partner" admits acme's members only: it is found through the tenant's own list.
        tenantSso: true,
      });
      assert.ok(!JSON.stringify(options.body).includes('secret'), 'no client secret in the answer');
    });

    test('a new person signs in through the IdP and gets a session', async () => {
      idp.account = { sub: 'new-1', email: 'newcomer@example.com', email_verified: true, name: 'Newcomer' };
      const jar = new CookieJar();
      const landed = await signInThrough('corp', jar);
      assert.equal(landed.pathname, '/api/me');
      assert.ok(jar.cookies.has('kiln.session_token'), 'Kiln set its session cookie');
      const me = await app.get('/api/me', jar);
      assert.equal(me.body.data.kind, 'user');
      const user = await app.store.driver.db.selectFrom(AUTH_TABLES.user).selectAll().where('id', '=', me.body.data.id).executeTakeFirstOrThrow();
      assert.equal(user.email, 'newcomer@example.com');
      // Signing in again finds the same person through the linked account.
      const again = new CookieJar();
      await signInThrough('corp', again);
      assert.equal((await app.get('/api/me', again)).body.data.id, me.body.data.id);
    });

    test('an IdP account links to an existing user by verified email only', async () => {
      const linked = await verifiedPerson(app, mail, 'linda@example.com', 'Linda');
      idp.account = { sub: 'linda-at-corp', email: 'linda@example.com', email_verified: true, name: 'Linda' };
      const jar = new CookieJar();
      assert.equal((await signInThrough('corp', jar)).pathname, '/api/me');
      assert.equal((await app.get('/api/me', jar)).body.data.id, linked.id, 'the same user as the password account');

      const victim = await verifiedPerson(app, mail, 'victor@example.com', 'Victor');
      idp.account = { sub: 'mallory-at-corp', email: 'victor@example.com', email_verified: false, name: 'Not Victor' };
      const attacker = new CookieJar();
      const landed = await signInThrough('corp', attacker);
      assert.equal(landed.pathname, '/api/auth/error', 'better-auth\'s error page');
      assert.equal(landed.searchParams.get('error'), 'account_not_linked');
      assert.deepEqual((await app.get('/api/me', attacker)).body.data, { kind: 'anonymous' });
      const accounts = await app.store.driver.db.selectFrom(AUTH_TABLES.account).select('providerId').where('userId', '=', victim.id).execute();
      assert.deepEqual(accounts.map((a) => a.providerId), ['credential'], 'no IdP account was attached to the existing user');
    });

    test('a tenant-restricted provider admits members of its tenants only', async () => {
      const listed = await app.get('/api/tenants/acme/providers');
      assert.deepEqual(listed.body.data.providers.map((p: { id: string }) => p.id), ['corp', 'partner']);
      assert.deepEqual((await app.get('/api/tenants/globex/providers')).body.data.providers.map((p: { id: string }) => p.id), ['corp']);

      await verifiedPerson(app, mail, 'pat@example.com', 'Pat');
      idp.account = { sub: 'pat-at-partner', email: 'pat@example.com', email_verified: true, name: 'Pat' };
      const refused = await signInThrough('partner', new CookieJar());
      assert.equal(refused.searchParams.get('error'), 'not_a_member');
      idp.account = { sub: 'stranger', email: 'stranger@example.com', email_verified: true, name: 'Stranger' };
      assert.equal((await signInThrough('partner', new CookieJar())).searchParams.get('error'), 'not_a_member');
      assert.equal((await app.store.driver.db.selectFrom(AUTH_TABLES.user).select('id').where('email', '=', 'stranger@example.com').execute()).length, 0, 'no account was created');

      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'pat@example.com', roles: ['editor'] } })).status, 201);
      idp.account = { sub: 'pat-at-partner', email: 'pat@example.com', email_verified: true, name: 'Pat' };
      const jar = new CookieJar();
      assert.equal((await signInThrough('partner', jar)).pathname, '/api/me');
      const me = await app.get('/api/me', jar);
      assert.deepEqual(me.body.data.memberships, { acme: ['editor'] });
      assert.equal((await app.post('/api/t/acme/authors', { name: 'Pat' }, jar)).status, 201);
    });

    test('a person with an authenticator gives the second factor after the IdP; one without is not asked', async () => {
      idp.account = { sub: 'tess-at-corp', email: 'tess@example.com', email_verified: true, name: 'Tess' };
      const first = new CookieJar();
      assert.equal((await signInThrough('corp', first)).pathname, '/api/me');
      const tess = (await app.get('/api/me', first)).body.data;
      assert.equal(tess.kind, 'user');
      // No password at Kiln: enrolment is passwordless for people who only sign in through a provider.
      const enrol = await app.post('/api/auth/two-factor/enable', {}, first);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, first)).status, 200);
      assert.equal((await app.post('/api/auth/sign-out', {}, first)).status, 200);
      assert.deepEqual((await app.get('/api/me', first)).body.data, { kind: 'anonymous' });

      const browser = new CookieJar();
      const setCookies: string[] = [];
      const landed = await signInThrough('corp', browser, setCookies);
      assert.equal(landed.pathname, '/api/me', 'back at the page the sign-in was meant to open');
      assert.equal(landed.searchParams.get('twoFactorRedirect'), 'true');
      assert.ok(!browser.cookies.has('kiln.session_token'), 'no session cookie before the second factor');
      assert.deepEqual((await app.get('/api/me', browser)).body.data, { kind: 'anonymous' });
      // The callback's answer carries no session token, and the session it made is gone from the database.
      assert.deepEqual(setCookies.filter((c) => /^kiln\.session_token=[^;]/.test(c)), [], 'no session token reached the browser');
      const sessions = () => app.store.driver.db.selectFrom(AUTH_TABLES.session).select('id').where('userId', '=', tess.id).execute();
      assert.equal((await sessions()).length, 0, 'the session the callback made was dropped');
      const wrong = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI, Date.now() - 10 * 60_000) }, browser);
      assert.equal(wrong.status, 401);
      assert.deepEqual((await app.get('/api/me', browser)).body.data, { kind: 'anonymous' });
      const second = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, browser);
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal((await app.get('/api/me', browser)).body.data.id, tess.id);
      assert.equal((await sessions()).length, 1);
      const credited = ((await app.api(`/api/audit?kind=sign_in.success&user=${tess.id}&limit=1`)).body.data as { details: Record<string, unknown> }[])[0];
      assert.deepEqual(credited.details, { provider: 'corp', method: 'totp', via: 'oauth' }, 'credited to the IdP, not to a password');

      // Someone without an authenticator goes straight in, no challenge.
      idp.account = { sub: 'uma-at-corp', email: 'uma@example.com', email_verified: true, name: 'Uma' };
      const plain = new CookieJar();
      const straight = await signInThrough('corp', plain);
      assert.equal(straight.pathname, '/api/me');
      assert.equal(straight.searchParams.get('twoFactorRedirect'), null);
      assert.equal((await app.get('/api/me', plain)).body.data.kind, 'user');
    });

    /**
     * What a native app holding Kiln's client credentials for the IdP gets: an ID token issued to that
     * client (audience kiln-corp) for the current IdP account, from a real code + PKCE exchange.
     */
    async function idTokenFromIdp(nonce: string): Promise<string> {
      const verifier = randomBytes(32).toString('base64url');
      const redirectUri = `${app.url}/api/auth/callback/corp`;
      let url = new URL(`${idp.issuer}/auth`);
      const q = { client_id: CREDENTIALS.corp.clientId, response_type: 'code', scope: 'openid email profile', redirect_uri: redirectUri, nonce, state: 'native-app', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
      for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
      const jar = new CookieJar();
      for (let hops = 0; hops < 20 && url.origin === idp.issuer; hops++) {
        const res = await fetch(url, { headers: jar.cookies.size ? { cookie: jar.header() } : {}, redirect: 'manual' });
        jar.take(res.headers);
        const location = res.headers.get('location');
        assert.ok(location, `${url} answered ${res.status}: ${await res.text()}`);
        url = new URL(location, url);
      }
      const code = url.searchParams.get('code');
      assert.ok(url.href.startsWith(redirectUri) && code, `the IdP sent the app to ${url}`);
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: CREDENTIALS.corp.clientId, client_secret: CREDENTIALS.corp.clientSecret });
      const tokens = (await (await fetch(`${idp.issuer}/token`, { method: 'POST', body })).json()) as { id_token?: string };
      assert.ok(tokens.id_token, JSON.stringify(tokens));
      return tokens.id_token;
    }

    test('a native app signs in with the IdP’s ID token; a forged one or a wrong nonce is refused; the second factor still applies', async () => {
      idp.account = { sub: 'nia-at-corp', email: 'nia@example.com', email_verified: true, name: 'Nia' };
      const nonce = randomBytes(16).toString('base64url');
      const token = await idTokenFromIdp(nonce);
      const [header, payload] = token.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the IdP’s signature').toString('base64url')}`;
      const refused = new CookieJar();
      assert.equal((await app.post('/api/auth/sign-in/social', { provider: 'corp', idToken: { token: forged, nonce } }, refused)).status, 401);
      assert.equal((await app.post('/api/auth/sign-in/social', { provider: 'corp', idToken: { token, nonce: 'another-nonce' } }, refused)).status, 401);
      assert.deepEqual((await app.get('/api/me', refused)).body.data, { kind: 'anonymous' });

      const phone = new CookieJar();
      const signedIn = await app.post('/api/auth/sign-in/social', { provider: 'corp', idToken: { token, nonce } }, phone);
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      const nia = (await app.get('/api/me', phone)).body.data;
      assert.equal(nia.kind, 'user');
      const audit = async (kind: string) => ((await app.api(`/api/audit?kind=${kind}&limit=50`)).body.data as { user: string | null; details: Record<string, unknown> }[]).filter((e) => e.user === nia.id || e.user === null);
      assert.deepEqual((await audit('sign_in.success')).filter((e) => e.user === nia.id).map((e) => [e.details.provider, e.details.method]), [['corp', 'id_token']]);

      // With an authenticator enrolled, the ID token alone makes no session: the code completes it.
      const enrol = await app.post('/api/auth/two-factor/enable', {}, phone);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, phone)).status, 200);
      const again = new CookieJar();
      const challenged = await app.post('/api/auth/sign-in/social', { provider: 'corp', idToken: { token: await idTokenFromIdp(nonce), nonce } }, again);
      assert.equal(challenged.status, 200, JSON.stringify(challenged.body));
      assert.equal(challenged.body.twoFactorRedirect, true);
      assert.deepEqual((await app.get('/api/me', again)).body.data, { kind: 'anonymous' });
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, again)).status, 200);
      assert.equal((await app.get('/api/me', again)).body.data.id, nia.id);
      // Credited to the IdP that vouched for the first factor, not to a password.
      const success = (await audit('sign_in.success')).filter((e) => e.user === nia.id).map((e) => [e.details.provider, e.details.method, e.details.via ?? null]);
      assert.deepEqual(success, [['corp', 'totp', 'id_token'], ['corp', 'id_token', null]]);
      assert.ok((await audit('sign_in.mfa_required')).some((e) => e.details.provider === 'corp' && e.details.method === 'id_token'));
    });

    test('a listed provider without credentials is left out, with the variables it needs', () => {
      const off = externalSignIn(magazineWithAuth({ providers: [{ id: 'corp', type: 'oidc', issuer: idp.issuer }] }), () => undefined);
      assert.deepEqual(off.providers, []);
      assert.deepEqual(off.oidc, []);
      assert.match(off.disabled.join('\n'), /KILN_AUTH_CORP_CLIENT_ID and KILN_AUTH_CORP_CLIENT_SECRET/);
    });
  });
}
