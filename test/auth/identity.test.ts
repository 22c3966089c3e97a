// Email/password identity end to end, once per driver: sign-up, verification mail read from a real
// SMTP server, sign-in, the session cookie on the content API, reset, change, and sign out everywhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { CookieJar, linkIn, SmtpInbox, startAuthApp, type AuthApp } from './helpers.ts';

const PASSWORD = 'correct horse battery staple';

for (const driver of await drivers()) {
  describe(`identity (${driver})`, () => {
    let app: AuthApp;
    let inbox: SmtpInbox;
    let worker: Worker;
    let mails = 0;
    before(async () => {
      inbox = new SmtpInbox();
      await inbox.start();
      app = await startAuthApp(driver, { smtpUrl: inbox.url });
      worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
    });
    after(async () => {
      await worker.stop();
      await app.close();
      await inbox.stop();
    });
    const nextMail = () => inbox.nth(++mails);

    /** Signs up and verifies through the mailed link; returns a signed-in cookie jar. */
    async function verifiedUser(email: string): Promise<CookieJar> {
      const up = await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Ada' });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      const mail = await nextMail();
      assert.deepEqual(mail.to, [email]);
      const verified = await app.get(linkIn(mail.raw, app.url).slice(app.url.length));
      assert.equal(verified.status, 302);
      const jar = new CookieJar();
      const signIn = await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, jar);
      assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
      return jar;
    }

    test('sign up, verify by the mailed link, sign in, and use the session cookie on the content API', async () => {
      const email = 'ada@example.com';
      const up = await app.post('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Ada' });
      assert.equal(up.status, 200);
      assert.equal(up.body.token, null, 'no session before the address is verified');
      const mail = await nextMail();
      assert.deepEqual(mail.to, [email]);
      assert.match(mail.raw, /Subject: Confirm your email address/);

      const early = await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, new CookieJar());
      assert.equal(early.status, 403);
      assert.equal(early.body.code, 'EMAIL_NOT_VERIFIED');
      // Signing in unverified sends a fresh link: the way back when the first mail was lost.
      await nextMail();

      const verified = await app.get(linkIn(mail.raw, app.url).slice(app.url.length));
      assert.equal(verified.status, 302);

      const jar = new CookieJar();
      const signIn = await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, jar);
      assert.equal(signIn.status, 200);
      const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('kiln.session_token='));
      assert.ok(cookie, 'a session cookie is set');
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);

      const me = await app.get('/api/me', jar);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body.data, { kind: 'user', id: signIn.body.user.id, roles: [] });
      // Without the signed cache cookie the session is read from the database: the same person.
      assert.equal((await app.get('/api/me', jar.withoutCache())).body.data.id, signIn.body.user.id);
      const posts = await app.get('/api/posts', jar);
      assert.equal(posts.status, 200);
      assert.ok(Array.isArray(posts.body.data));

      // A forged session cookie is nobody.
      const forged = new CookieJar();
      forged.cookies.set('kiln.session_token', 'forged.value');
      assert.deepEqual((await app.get('/api/me', forged)).body.data, { kind: 'anonymous' });
      // The Authorization header wins over the cookie.
      const asRoot = await app.api('/api/me', { headers: { cookie: jar.header() } });
      assert.deepEqual(asRoot.body.data, { kind: 'root' });
    });

    test('a wrong password and an unknown email get the same answer', async () => {
      await verifiedUser('grace@example.com');
      const wrong = await app.post('/api/auth/sign-in/email', { email: 'grace@example.com', password: 'not the password' }, new CookieJar());
      const unknown = await app.post('/api/auth/sign-in/email', { email: 'nobody@example.com', password: 'not the password' }, new CookieJar());
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, wrong.status);
      assert.deepEqual(unknown.body, wrong.body);
      assert.equal(wrong.headers.getSetCookie().length, 0);
      // Signing up again with a taken address looks like any sign-up, and sends nothing.
      const again = await app.post('/api/auth/sign-up/email', { email: 'grace@example.com', password: PASSWORD, name: 'Someone' });
      const fresh = await app.post('/api/auth/sign-up/email', { email: 'fresh@example.com', password: PASSWORD, name: 'Someone' });
      assert.equal(again.status, 200);
      assert.equal(again.status, fresh.status);
      assert.deepEqual(Object.keys(again.body).sort(), Object.keys(fresh.body).sort());
      assert.deepEqual((await nextMail()).to, ['fresh@example.com'], 'the next mail is the fresh address\'s, not the taken one\'s');
    });

    test('passwords are stored as argon2id PHC strings, never as they were typed', async () => {
      const jar = await verifiedUser('hash@example.com');
      const id = (await app.get('/api/me', jar)).body.data.id;
      const account = await app.store.driver.db.selectFrom(AUTH_TABLES.account).selectAll().where('userId', '=', id).executeTakeFirstOrThrow();
      assert.match(account.password as string, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      const user = await app.store.driver.db.selectFrom(AUTH_TABLES.user).selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify([account, user]).includes(PASSWORD));
    });

    test('password reset through the mailed link; the old password stops working', async () => {
      const email = 'reset@example.com';
      const old = await verifiedUser(email);
      const known = await app.post('/api/auth/request-password-reset', { email, redirectTo: '/reset' });
      const unknown = await app.post('/api/auth/request-password-reset', { email: 'ghost@example.com', redirectTo: '/reset' });
      assert.equal(known.status, 200);
      assert.equal(unknown.status, known.status);
      assert.deepEqual(unknown.body, known.body);

      const mail = await nextMail();
      assert.deepEqual(mail.to, [email], 'only the known address gets mail');
      const open = await app.get(linkIn(mail.raw, app.url).slice(app.url.length));
      assert.equal(open.status, 302);
      const token = new URL(open.headers.get('location')!, app.url).searchParams.get('token');
      assert.ok(token);
      const reset = await app.post('/api/auth/reset-password', { token, newPassword: 'a brand new passphrase' });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));

      assert.equal((await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, new CookieJar())).status, 401);
      assert.equal((await app.post('/api/auth/sign-in/email', { email, password: 'a brand new passphrase' }, new CookieJar())).status, 200);
      // A reset ends every session that was open before it.
      assert.deepEqual((await app.get('/api/me', old.withoutCache())).body.data, { kind: 'anonymous' });
      // The link works once.
      assert.equal((await app.post('/api/auth/reset-password', { token, newPassword: 'yet another passphrase' })).status, 400);
    });

    test('change password', async () => {
      const email = 'change@example.com';
      const jar = await verifiedUser(email);
      const wrong = await app.post('/api/auth/change-password', { currentPassword: 'not it at all', newPassword: 'the next passphrase' }, jar);
      assert.equal(wrong.status, 400);
      const changed = await app.post('/api/auth/change-password', { currentPassword: PASSWORD, newPassword: 'the next passphrase' }, jar);
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal((await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, new CookieJar())).status, 401);
      assert.equal((await app.post('/api/auth/sign-in/email', { email, password: 'the next passphrase' }, new CookieJar())).status, 200);
    });

    test('sign out everywhere revokes the other sessions on the server', async () => {
      const email = 'everywhere@example.com';
      const laptop = await verifiedUser(email);
      const phone = new CookieJar();
      assert.equal((await app.post('/api/auth/sign-in/email', { email, password: PASSWORD }, phone)).status, 200);
      assert.equal((await app.get('/api/me', phone.withoutCache())).body.data.kind, 'user');

      const out = await app.post('/api/auth/revoke-sessions', {}, laptop);
      assert.equal(out.status, 200, JSON.stringify(out.body));
      // The phone's cache cookie may answer until it expires; any fresh check finds no session.
      assert.deepEqual((await app.get('/api/me', phone.withoutCache())).body.data, { kind: 'anonymous' });
      assert.equal((await app.get('/api/auth/get-session?disableCookieCache=true', phone)).body, null);
      assert.deepEqual((await app.get('/api/me', laptop.withoutCache())).body.data, { kind: 'anonymous' });
    });

    test('the development mail viewer is off when SMTP is configured', async () => {
      const r = await app.api('/api/dev/mail');
      assert.equal(r.status, 404);
      assert.match(r.headers.get('content-type')!, /application\/problem\+json/);
    });
  });
}
