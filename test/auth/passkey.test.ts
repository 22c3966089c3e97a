// Passkeys end to end, once per driver, in a real Chromium with a virtual WebAuthn authenticator
// (DevTools' WebAuthn domain): a signed-in editor registers a passkey, signs out, and signs in with it
// (the session works on /api/me and satisfies the spec's "required" MFA policy, which a password
// session of the same person does not; with an authenticator app enrolled, a passkey sign-in asks
// for no TOTP code while a password sign-in does). Assertions made here in Node with the authenticator's own
// key show what is refused: another origin, a replayed assertion, a counter that did not grow, a
// passkey that did not verify its user; the same signing with the right values is accepted, so the
// refusals are the checks, not a broken signer. Without "passkey" in auth.methods the endpoints do
// not exist; the ceremonies are rate-limited; audit records and metrics name the method.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import type { CDPSession, Page } from 'playwright-core';
import { drivers, ROOT_TOKEN } from '../harness.ts';
import { CookieJar, SmtpInbox, startAuthApp, type AuthApp } from './helpers.ts';
import { magazineWithAuth, Mailbox, PASSWORD, totpCode, verifiedPerson } from './identity-helpers.ts';
import { withEnv } from './abuse-client.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { checkSpec } from '../../src/spec/check.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { browserMissing, openBrowser, withScreenshots, type Browser } from '../admin/browser.ts';

const skip = browserMissing();
const PASSKEY_SPEC = magazineWithAuth({ methods: ['password', 'passkey'], mfa: { policy: 'required', roles: ['editor'] } });

// The test page: plain navigator.credentials calls with the WebAuthn JSON helpers (no library), the
// way any web client of the API would run the two ceremonies.
const TEST_PAGE = `<!doctype html><title>Passkey test</title><h1>Passkey test</h1>
<script>
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const answer = async (res, more) => ({ status: res.status, body: await res.json(), ...more });
window.passkeyTest = {
  async register(name) {
    const options = await (await fetch('/api/auth/passkey/generate-register-options')).json();
    const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
    return answer(await post('/api/auth/passkey/verify-registration', { response: credential.toJSON(), name }));
  },
  async signIn() {
    const options = await (await fetch('/api/auth/passkey/generate-authenticate-options')).json();
    const credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    const assertion = credential.toJSON();
    return answer(await post('/api/auth/passkey/verify-authentication', { response: assertion }), { options, assertion });
  },
  async fetch(path, body) {
    const res = body === undefined ? await fetch(path) : await post(path, body);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  },
};
</script>`;

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type TestPage = {
  register(name: string): Promise<Answer>;
  signIn(): Promise<Answer & { options: any; assertion: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  fetch(path: string, body?: unknown): Promise<Answer>;
};
/** Opens the test page at the app's own origin (the relying party's), served by the test. */
async function pageAtOrigin(page: Page, origin: string): Promise<void> {
  await page.route(`${origin}/passkey-test`, (route) => route.fulfill({ contentType: 'text/html', body: TEST_PAGE }));
  await page.goto(`${origin}/passkey-test`);
}

// (The functions below run in the page: they can name nothing from this module.)
/** fetch from the page, as the browser sends it (its cookies, its Origin). */
const fetchIn = (page: Page, path: string, body?: unknown): Promise<Answer> =>
  page.evaluate(({ path, body }) => (globalThis as unknown as { passkeyTest: TestPage }).passkeyTest.fetch(path, body), { path, body });
/** Registers a passkey from the page: options from the server, navigator.credentials.create, verification. */
const registerIn = (page: Page, name: string) => page.evaluate((name) => (globalThis as unknown as { passkeyTest: TestPage }).passkeyTest.register(name), name);
/** Signs in from the page with a discoverable passkey; also returns the options it answered and the assertion sent. */
const signInIn = (page: Page) => page.evaluate(() => (globalThis as unknown as { passkeyTest: TestPage }).passkeyTest.signIn());

type VirtualCredential = { credentialId: string; privateKey: string; signCount: number; rpId: string; userHandle?: string };

const b64url = (b: Buffer) => b.toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

/**
 * A WebAuthn assertion signed here with the virtual authenticator's private key (over
 * authenticatorData ‖ SHA-256(clientDataJSON), as an authenticator signs), with the origin, counter
 * and flags the test chooses.
 */
function assertionFor(c: VirtualCredential, o: { challenge: string; origin: string; counter: number; userVerified?: boolean }) {
  const flags = 0x01 | (o.userVerified === false ? 0 : 0x04);
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(o.counter);
  const authenticatorData = Buffer.concat([sha256(c.rpId), Buffer.from([flags]), counter]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: o.challenge, origin: o.origin, crossOrigin: false }));
  const key = createPrivateKey({ key: Buffer.from(c.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  // Chromium's virtual authenticator picks the first algorithm offered it supports: Ed25519 (EdDSA) here, else ES256.
  const signature = sign(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), key);
  const id = b64url(Buffer.from(c.credentialId, 'base64'));
  return {
    id,
    rawId: id,
    type: 'public-key',
    authenticatorAttachment: 'platform',
    clientExtensionResults: {},
    response: { authenticatorData: b64url(authenticatorData), clientDataJSON: b64url(clientDataJSON), signature: b64url(signature), userHandle: c.userHandle ? b64url(Buffer.from(c.userHandle, 'base64')) : undefined },
  };
}

/** A fresh challenge for `jar` (its signed challenge cookie set), then the assertion `make` builds for it. */
async function trySignIn(app: AuthApp, jar: CookieJar, make: (challenge: string) => unknown) {
  const options = await app.get('/api/auth/passkey/generate-authenticate-options', jar);
  assert.equal(options.status, 200, JSON.stringify(options.body));
  return app.post('/api/auth/passkey/verify-authentication', { response: await make(options.body.challenge) }, jar);
}

for (const driver of await drivers()) {
  describe(`passkeys in a browser (${driver})`, { skip }, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mail: Mailbox;
    let browser: Browser;
    let cdp: CDPSession;
    let authenticatorId = '';
    let editor = { id: '', jar: new CookieJar() };

    before(async () => {
      inbox = new SmtpInbox();
      await inbox.start();
      mail = new Mailbox(inbox);
      // WebAuthn needs a domain name for the relying party, not an IP address.
      app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: PASSKEY_SPEC, host: 'localhost' });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
      assert.equal((await app.api('/api/tenants', { method: 'POST', body: { slug: 'acme', name: 'Acme' } })).status, 201);
      editor = await verifiedPerson(app, mail, 'edie@example.com', 'Edie');
      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'edie@example.com', roles: ['editor'] } })).status, 201);
      browser = await openBrowser();
      cdp = await browser.context.newCDPSession(browser.page);
      await cdp.send('WebAuthn.enable');
      ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
      }));
    });
    after(async () => {
      await browser?.close();
      await worker?.stop();
      await app?.close();
      await inbox?.stop();
    });

    const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[];
    const storedCounter = async () => Number((await app.store.driver.db.selectFrom(AUTH_TABLES.passkey).select('counter').where('userId', '=', editor.id).executeTakeFirstOrThrow()).counter);

    test('a signed-in person registers a passkey, signs out, and signs in with it; the session meets the MFA policy', async () => {
      const { page } = browser;
      await withScreenshots(`passkey-${driver}`, () => [page], async () => {
        await pageAtOrigin(page, app.url);
        assert.equal((await fetchIn(page, '/api/tenants/acme/providers')).body.data.passkey, true, 'the sign-in page can learn that passkeys are offered');
        assert.equal((await fetchIn(page, '/api/sign-in-options')).body.data.passkey, true);
        assert.equal((await fetchIn(page, '/api/auth/sign-in/email', { email: 'edie@example.com', password: PASSWORD })).status, 200);
        // The policy asks editors for MFA: a password session without it is limited to enrolling.
        const limited = await fetchIn(page, '/api/t/acme/authors');
        assert.equal(limited.status, 403);
        assert.equal(limited.body.errors[0].field, 'mfa');
        assert.match(limited.body.errors[0].detail, /passkey/);

        const registered = await registerIn(page, 'Work laptop');
        assert.equal(registered.status, 200, JSON.stringify(registered.body));
        assert.equal(registered.body.name, 'Work laptop');
        const rows = await app.store.driver.db.selectFrom(AUTH_TABLES.passkey).selectAll().where('userId', '=', editor.id).execute();
        assert.equal(rows.length, 1);
        const [virtual] = await credentials();
        assert.equal(virtual.rpId, 'localhost');
        assert.equal(rows[0].credentialID, b64url(Buffer.from(virtual.credentialId, 'base64')), 'the row holds the credential the authenticator made');
        const listed = await fetchIn(page, '/api/auth/passkey/list-user-passkeys');
        assert.deepEqual(listed.body.map((p: { name: string }) => p.name), ['Work laptop']);

        assert.equal((await fetchIn(page, '/api/auth/sign-out', {})).status, 200);
        assert.deepEqual((await fetchIn(page, '/api/me')).body.data, { kind: 'anonymous' });

        const signedIn = await signInIn(page);
        assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
        assert.equal(signedIn.options.userVerification, 'required', 'the browser is told the passkey must verify its user');
        assert.equal(signedIn.options.allowCredentials, undefined, 'a discoverable passkey: nobody types an address first');
        assert.equal(signedIn.body.twoFactorRedirect, undefined);
        const me = await fetchIn(page, '/api/me');
        assert.equal(me.body.data.id, editor.id);
        assert.deepEqual(me.body.data.memberships, { acme: ['editor'] });
        assert.equal((await fetchIn(page, '/api/t/acme/authors')).status, 200, 'a passkey session satisfies the MFA requirement');
        assert.ok((await storedCounter()) > 0, 'the signature counter is kept');

        // The same person's password session still does not.
        assert.equal((await app.get('/api/t/acme/authors', editor.jar)).status, 403);

        // The captured assertion, sent again, makes no session: its challenge was spent.
        const replayJar = new CookieJar();
        const bare = await app.post('/api/auth/passkey/verify-authentication', { response: signedIn.assertion }, replayJar);
        assert.equal(bare.status, 400);
        const replayed = await trySignIn(app, replayJar, () => signedIn.assertion);
        assert.equal(replayed.status, 400, JSON.stringify(replayed.body));
        assert.ok(!replayJar.cookies.has('kiln.session_token'));
        assert.deepEqual((await app.get('/api/me', replayJar)).body.data, { kind: 'anonymous' });
      });
    });

    test('assertions signed with the passkey are refused from another origin, with a counter that did not grow, or without user verification', async () => {
      const [virtual] = await credentials();
      assert.ok(virtual, 'the first test registered a passkey');
      const origin = app.url;

      const counter = await storedCounter();

      const phished = new CookieJar();
      const wrongOrigin = await trySignIn(app, phished, (challenge) => assertionFor(virtual, { challenge, origin: 'https://kiln-login.example', counter: counter + 1 }));
      assert.equal(wrongOrigin.status, 400, JSON.stringify(wrongOrigin.body));
      assert.ok(!phished.cookies.has('kiln.session_token'));

      const cloned = new CookieJar();
      const stale = await trySignIn(app, cloned, (challenge) => assertionFor(virtual, { challenge, origin, counter }));
      assert.equal(stale.status, 400, JSON.stringify(stale.body));
      assert.ok(!cloned.cookies.has('kiln.session_token'));

      const unverified = new CookieJar();
      const noUv = await trySignIn(app, unverified, (challenge) => assertionFor(virtual, { challenge, origin, counter: counter + 1, userVerified: false }));
      assert.equal(noUv.status, 400, JSON.stringify(noUv.body));
      assert.equal(noUv.body.code, 'USER_VERIFICATION_REQUIRED');
      assert.ok(!unverified.cookies.has('kiln.session_token'));
      assert.equal(await storedCounter(), counter, 'no refused assertion moved the counter');

      // The same signing with this origin and a grown counter is accepted.
      const genuine = new CookieJar();
      const accepted = await trySignIn(app, genuine, (challenge) => assertionFor(virtual, { challenge, origin, counter: counter + 1 }));
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal((await app.get('/api/me', genuine)).body.data.id, editor.id);
      assert.equal(await storedCounter(), counter + 1);
    });

    test('audit records and sign-in metrics name the passkey method', async () => {
      const audit = await app.api(`/api/audit?user=${editor.id}&limit=100`);
      assert.equal(audit.status, 200);
      const kinds = (audit.body.data as { kind: string; details: { method?: string } }[]).map((e) => `${e.kind}${e.details.method ? `:${e.details.method}` : ''}`);
      assert.ok(kinds.includes('passkey.added'), kinds.join(' '));
      assert.equal(kinds.filter((k) => k === 'sign_in.success:passkey').length, 2, kinds.join(' '));
      // Two replays, another origin, a stale counter, no user verification: each names whose passkey it was.
      assert.equal(kinds.filter((k) => k === 'sign_in.failure:passkey').length, 5, kinds.join(' '));
      const metrics = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${ROOT_TOKEN}` } });
      const text = await metrics.text();
      assert.match(text, /kiln_auth_sign_ins_total\{provider="kiln",method="passkey",outcome="success"\} 2/);
      assert.match(text, /kiln_auth_sign_ins_total\{provider="kiln",method="passkey",outcome="failure"\} 5/);
    });

    test('a person with an authenticator app signs in with the passkey without a TOTP code; a password still asks for one', async () => {
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, editor.jar);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, editor.jar)).status, 200);
      const byPassword = new CookieJar();
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'edie@example.com', password: PASSWORD }, byPassword)).body.twoFactorRedirect, true);

      const [virtual] = await credentials();
      const byPasskey = new CookieJar();
      const signedIn = await trySignIn(app, byPasskey, async (challenge) => assertionFor(virtual, { challenge, origin: app.url, counter: (await storedCounter()) + 1 }));
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      assert.equal(signedIn.body.twoFactorRedirect, undefined);
      assert.equal((await app.get('/api/t/acme/authors', byPasskey)).status, 200);
    });

    test('a person removes their passkey; it signs in no more', async () => {
      const [virtual] = await credentials();
      const row = await app.store.driver.db.selectFrom(AUTH_TABLES.passkey).select(['id', 'counter']).where('userId', '=', editor.id).executeTakeFirstOrThrow();
      const jar = new CookieJar();
      assert.equal((await trySignIn(app, jar, (challenge) => assertionFor(virtual, { challenge, origin: app.url, counter: Number(row.counter) + 1 }))).status, 200);
      const removed = await app.post('/api/auth/passkey/delete-passkey', { id: row.id }, jar);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const after = await trySignIn(app, new CookieJar(), (challenge) => assertionFor(virtual, { challenge, origin: app.url, counter: Number(row.counter) + 2 }));
      assert.equal(after.status, 401);
      const audit = await app.api(`/api/audit?user=${editor.id}&kind=passkey.removed`);
      assert.equal(audit.body.data.length, 1);
    });
  });
}

for (const driver of await drivers()) {
  describe(`passkey endpoints without the method, and their limits (${driver})`, () => {
    test('a spec without "passkey" has no passkey endpoints', async () => {
      const app = await startAuthApp(driver, { spec: magazineWithAuth({ methods: ['password'] }), host: 'localhost' });
      try {
        for (const path of ['/api/auth/passkey/generate-authenticate-options', '/api/auth/passkey/generate-register-options', '/api/auth/passkey/list-user-passkeys']) {
          assert.equal((await app.get(path)).status, 404, path);
        }
        for (const path of ['/api/auth/passkey/verify-authentication', '/api/auth/passkey/verify-registration', '/api/auth/passkey/delete-passkey']) {
          assert.equal((await app.post(path, { response: {} })).status, 404, path);
        }
        assert.equal((await app.api('/api/tenants', { method: 'POST', body: { slug: 'acme', name: 'Acme' } })).status, 201);
        assert.equal((await app.get('/api/tenants/acme/providers')).body.data.passkey, false);
        assert.equal((await app.get('/api/sign-in-options')).body.data.passkey, false);
      } finally {
        await app.close();
      }
    });

    test('asking for challenges is rate-limited per address', async () => {
      const app = await withEnv({ KILN_AUTH_RATE_LIMIT: '2', KILN_AUTH_RATE_WINDOW: '600' }, () => startAuthApp(driver, { spec: PASSKEY_SPEC, host: 'localhost' }));
      try {
        // Two ceremonies' worth (a challenge and its answer each) per window.
        for (let i = 0; i < 4; i++) assert.equal((await app.get('/api/auth/passkey/generate-authenticate-options')).status, 200);
        const limited = await app.get('/api/auth/passkey/generate-authenticate-options');
        assert.equal(limited.status, 429);
        assert.ok(Number(limited.headers.get('retry-after')) > 0);
        assert.equal((await app.post('/api/auth/passkey/verify-authentication', { response: {} })).status, 429);
      } finally {
        await app.close();
      }
    });
  });
}

describe('passkey in auth.methods', () => {
  test('is offered without a warning beside another way in; alone it warns that nobody could create an account', () => {
    const r = checkSpec({ ...magazineWithAuth(), auth: { methods: ['password', 'passkey'] } });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.warnings.filter((w) => w.path.startsWith('/auth/')), []);
    const withProvider = checkSpec({ ...magazineWithAuth(), auth: { methods: ['passkey'], providers: [{ id: 'github', type: 'github' }] } });
    assert.deepEqual(withProvider.warnings.filter((w) => w.path.startsWith('/auth/')), []);
    const alone = checkSpec({ ...magazineWithAuth(), auth: { methods: ['passkey'] } });
    assert.ok(alone.ok);
    assert.deepEqual(alone.warnings.filter((w) => w.path.startsWith('/auth/')).map((w) => w.path), ['/auth/methods/0']);
  });
});
