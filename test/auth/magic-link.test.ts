// Magic link sign-in end to end, once per driver, with the mail read from a real SMTP server: a link
// signs in once; an unknown address gets the same answer, and a mail only when it could sign up
// ("open": yes; "invite": only with a pending invitation; "closed": never); an enrolled person still
// gives the second factor; a spec without the method has no such endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startMailWorker } from '../../src/auth/mail/mail-delivery.ts';
import { MAIL_OUTBOX } from '../../src/auth/mail/outbox.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { newId } from '../../src/data/ids.ts';
import type { AuthSection } from '../../src/spec/schema.ts';
import type { Worker } from '../../src/data/queue/worker.ts';
import { CookieJar, linkIn, SmtpInbox, startAuthApp, type AuthApp } from './helpers.ts';
import { magazineWithAuth, Mailbox, PASSWORD, totpCode, verifiedPerson } from './identity-helpers.ts';

type Served = { app: AuthApp; worker: Worker; mail: Mailbox };

async function serve(driver: Awaited<ReturnType<typeof drivers>>[number], inbox: SmtpInbox, auth: AuthSection): Promise<Served> {
  const app = await startAuthApp(driver, { smtpUrl: inbox.url, spec: magazineWithAuth(auth) });
  const worker = startMailWorker(app.store.driver, { smtpUrl: inbox.url, from: 'Kiln Test <kiln@example.test>' }, { pollMs: 20 });
  return { app, worker, mail: new Mailbox(inbox) };
}

/** Messages the outbox holds for an address: written in the request's transaction, so exact. */
async function outboxFor(app: AuthApp, to: string): Promise<string[]> {
  const rows = await app.store.driver.db.selectFrom(MAIL_OUTBOX).select('kind').where('recipient', '=', to).execute();
  return rows.map((r) => r.kind as string);
}

const requestLink = (app: AuthApp, email: string) => app.post('/api/auth/sign-in/magic-link', { email });

/** Follows a mailed link as a browser would (a GET, redirects not followed), in `jar`. */
const follow = (app: AuthApp, link: string, jar: CookieJar) => app.get(link.slice(app.url.length), jar);

for (const driver of await drivers()) {
  describe(`magic link sign-in (${driver})`, () => {
    // One SMTP server per app: each Mailbox counts the messages of its own inbox.
    const inboxes: SmtpInbox[] = [];
    const served: Served[] = [];
    const start = async (auth: AuthSection) => {
      const inbox = new SmtpInbox();
      await inbox.start();
      inboxes.push(inbox);
      const s = await serve(driver, inbox, auth);
      served.push(s);
      return s;
    };
    after(async () => {
      for (const s of served) {
        await s.worker.stop();
        await s.app.close();
      }
      for (const i of inboxes) await i.stop();
    });

    describe('sign-up open', () => {
      let s: Served;
      before(async () => {
        s = await start({ methods: ['password', 'magicLink'], signUp: 'open' });
      });

      test('the public sign-in options offer the magic link', async () => {
        const options = await s.app.get('/api/sign-in-options');
        assert.equal(options.status, 200);
        assert.deepEqual(options.body.data, { password: true, magicLink: true, passkey: false, signUp: 'open', passwordLength: { min: 8, max: 128 }, providers: [], tenantSso: false });
      });

      test('a mailed link signs in once, expires after ten minutes, and is stored only as a hash', async () => {
        const { app, mail } = s;
        const ada = await verifiedPerson(app, mail, 'ada@example.com', 'Ada');
        const asked = await requestLink(app, 'Ada@Example.com');
        assert.equal(asked.status, 200, JSON.stringify(asked.body));
        assert.deepEqual(asked.body, { status: true });
        const m = await mail.next();
        assert.deepEqual(m.to, ['ada@example.com']);
        assert.match(m.raw, /Subject: Your Kiln Magazine sign-in link/);
        const link = linkIn(m.raw, app.url);
        assert.match(link, /\/api\/auth\/magic-link\/verify\?token=/);
        const token = new URL(link).searchParams.get('token')!;

        const rows = await app.store.driver.db.selectFrom(AUTH_TABLES.verification).select(['identifier', 'expiresAt', 'createdAt']).where('identifier', 'like', 'magic-link:%').execute();
        assert.equal(rows.length, 1);
        assert.ok(!rows[0].identifier.includes(token), 'the database holds a hash of the token, not the token');
        const lifetime = (new Date(rows[0].expiresAt as string).getTime() - new Date(rows[0].createdAt as string).getTime()) / 1000;
        assert.ok(lifetime > 590 && lifetime <= 600, `the link lives ten minutes, not ${lifetime} s`);

        const browser = new CookieJar();
        const signedIn = await follow(app, link, browser);
        assert.equal(signedIn.status, 302);
        assert.equal(new URL(signedIn.headers.get('location')!, app.url).pathname, '/');
        assert.ok(browser.cookies.has('kiln.session_token'));
        assert.deepEqual((await app.get('/api/me', browser)).body.data, { kind: 'user', id: ada.id, roles: [] });

        const other = new CookieJar();
        const again = await follow(app, link, other);
        assert.equal(again.status, 302);
        assert.equal(new URL(again.headers.get('location')!, app.url).searchParams.get('error'), 'INVALID_TOKEN');
        assert.ok(!other.cookies.has('kiln.session_token'), 'a used link makes no session');
        assert.deepEqual((await app.get('/api/me', other)).body.data, { kind: 'anonymous' });
      });

      test('an unknown address gets the same answer and a link that creates a verified account', async () => {
        const { app, mail } = s;
        const known = await requestLink(app, 'ada@example.com');
        await mail.next();
        const unknown = await requestLink(app, 'newcomer@example.com');
        assert.equal(unknown.status, known.status);
        assert.deepEqual(unknown.body, known.body);
        const m = await mail.next();
        assert.deepEqual(m.to, ['newcomer@example.com']);
        const browser = new CookieJar();
        assert.equal((await follow(app, linkIn(m.raw, app.url), browser)).status, 302);
        const me = await app.get('/api/me', browser);
        assert.equal(me.body.data.kind, 'user');
        const user = await app.store.driver.db.selectFrom(AUTH_TABLES.user).select(['id', 'emailVerified']).where('email', '=', 'newcomer@example.com').executeTakeFirstOrThrow();
        assert.equal(user.id, me.body.data.id);
        assert.ok(Boolean(user.emailVerified), 'following the link proved the address');
      });

      test('a person with an authenticator still gives the second factor after following the link', async () => {
        const { app, mail } = s;
        const erin = await verifiedPerson(app, mail, 'erin@example.com', 'Erin');
        const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, erin.jar);
        assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
        assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, erin.jar)).status, 200);

        assert.equal((await requestLink(app, 'erin@example.com')).status, 200);
        const link = linkIn((await mail.next()).raw, app.url);
        const browser = new CookieJar();
        const followed = await follow(app, link, browser);
        assert.equal(followed.status, 302);
        assert.equal(new URL(followed.headers.get('location')!, app.url).searchParams.get('twoFactorRedirect'), 'true');
        assert.ok(!browser.cookies.has('kiln.session_token'), 'no session before the second factor');
        assert.deepEqual((await app.get('/api/me', browser)).body.data, { kind: 'anonymous' });
        const wrong = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI, Date.now() - 10 * 60_000) }, browser);
        assert.equal(wrong.status, 401);
        const second = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, browser);
        assert.equal(second.status, 200, JSON.stringify(second.body));
        assert.equal((await app.get('/api/me', browser)).body.data.id, erin.id);
      });
    });

    describe('sign-up by invitation', () => {
      let s: Served;
      before(async () => {
        s = await start({ methods: ['password', 'magicLink'], signUp: 'invite' });
        assert.equal((await s.app.api('/api/tenants', { method: 'POST', body: { slug: 'acme', name: 'ACME' } })).status, 201);
      });

      test('an uninvited address gets the same answer and no mail; an invited one signs up through the link', async () => {
        const { app, mail } = s;
        const stranger = await requestLink(app, 'stranger@example.com');
        assert.equal(stranger.status, 200);
        assert.deepEqual(stranger.body, { status: true });
        assert.deepEqual(await outboxFor(app, 'stranger@example.com'), [], 'no mail for an address that may not sign up');

        // An admin (added by root once they have an account) invites Bob.
        // Password sign-up answers the generic way too, and makes no account.
        assert.equal((await app.post('/api/auth/sign-up/email', { email: 'alice@example.com', password: PASSWORD, name: 'Alice' })).status, 200);
        assert.equal((await app.store.driver.db.selectFrom(AUTH_TABLES.user).select('id').execute()).length, 0);
        const now = app.driver === 'sqlite' ? new Date().toISOString() : new Date();
        await app.store.driver.db
          .insertInto(AUTH_TABLES.user)
          // An account made by hand here; root can also invite the first admin (invite-only.test.ts).
          .values({ id: newId(), email: 'alice@example.com', name: 'Alice', emailVerified: app.driver === 'sqlite' ? 1 : true, createdAt: now, updatedAt: now })
          .execute();
        assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'alice@example.com', roles: ['admin'] } })).status, 201);
        assert.equal((await requestLink(app, 'alice@example.com')).status, 200);
        const alice = new CookieJar();
        assert.equal((await follow(app, linkIn((await mail.next()).raw, app.url), alice)).status, 302);
        const invited = await app.post('/api/tenants/acme/invitations', { email: 'bob@example.com', roles: ['editor'] }, alice);
        assert.equal(invited.status, 201, JSON.stringify(invited.body));
        assert.deepEqual((await mail.next()).to, ['bob@example.com']);

        const asked = await requestLink(app, 'bob@example.com');
        assert.deepEqual(asked.body, stranger.body);
        const m = await mail.next();
        assert.deepEqual(m.to, ['bob@example.com']);
        assert.match(m.raw, /sign-in link/);
        const bob = new CookieJar();
        assert.equal((await follow(app, linkIn(m.raw, app.url), bob)).status, 302);
        assert.equal((await app.get('/api/me', bob)).body.data.kind, 'user');
        assert.equal((await app.post('/api/auth/organization/accept-invitation', { invitationId: invited.body.data.id }, bob)).status, 200);
        assert.deepEqual((await app.get('/api/me', bob)).body.data.memberships, { acme: ['editor'] });
      });
    });

    describe('sign-up closed', () => {
      let s: Served;
      before(async () => {
        s = await start({ methods: ['password', 'magicLink'], signUp: 'closed' });
      });

      test('an unknown address gets the same answer and no mail', async () => {
        const { app } = s;
        const r = await requestLink(app, 'nobody@example.com');
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { status: true });
        assert.deepEqual(await outboxFor(app, 'nobody@example.com'), []);
        const users = await app.store.driver.db.selectFrom(AUTH_TABLES.user).select('id').execute();
        assert.equal(users.length, 0);
      });
    });

    describe('method not in the spec', () => {
      let s: Served;
      before(async () => {
        s = await start({ methods: ['password'] });
      });

      test('there is no magic link endpoint and nothing is mailed', async () => {
        const { app } = s;
        const r = await requestLink(app, 'ada@example.com');
        assert.equal(r.status, 404);
        assert.equal((await app.get('/api/auth/magic-link/verify?token=abc')).status, 404);
        assert.deepEqual(await outboxFor(app, 'ada@example.com'), []);
      });
    });
  });
}
