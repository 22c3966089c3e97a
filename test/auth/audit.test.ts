// The audit log, once per driver: each security event appears with the right tenant and user after
// the HTTP action that causes it; tenant admins read their own tenant's log only; filters, pages and
// bad parameters. Mail is read from the outbox (no SMTP server: messages are held there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { MAIL_OUTBOX } from '../../src/auth/mail/outbox.ts';
import { CookieJar, startAuthApp, type AuthApp } from './helpers.ts';
import { magazineWithAuth, PASSWORD, totpCode } from './identity-helpers.ts';
import { verifiedAccount } from './abuse-client.ts';

type Entry = { id: string; at: string; kind: string; tenant: string | null; actor: string | null; user: string | null; ip: string | null; userAgent: string | null; details: Record<string, unknown> };

for (const driver of await drivers()) {
  describe(`audit log (${driver})`, () => {
    let app: AuthApp;
    before(async () => {
      app = await startAuthApp(driver, { spec: magazineWithAuth({ mfa: { policy: 'optional' } }) });
      for (const slug of ['acme', 'globex']) assert.equal((await app.api('/api/tenants', { method: 'POST', body: { slug, name: slug.toUpperCase() } })).status, 201);
    });
    after(async () => {
      await app?.close();
    });

    const events = async (query: string, token?: string): Promise<Entry[]> => {
      const r = await app.api(`/api/audit?${query}`, token ? { token } : {});
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data as Entry[];
    };
    const one = async (user: string, kind: string): Promise<Entry> => {
      const found = await events(`user=${user}&kind=${kind}`);
      assert.equal(found.length, 1, `one ${kind} for ${user}: ${JSON.stringify(found)}`);
      return found[0];
    };
    const lastLink = async (to: string, kind: string): Promise<string> => {
      const row = await app.store.driver.db.selectFrom(MAIL_OUTBOX).select('text').where('recipient', '=', to).where('kind', '=', kind).orderBy('createdAt', 'desc').orderBy('id', 'desc').executeTakeFirstOrThrow();
      const link = /https?:\/\/\S+/.exec(row.text as string)?.[0];
      assert.ok(link, `a link in the ${kind} mail`);
      return link.slice(app.url.length);
    };
    const signIn = async (email: string, password = PASSWORD) => {
      const jar = new CookieJar();
      const r = await app.post('/api/auth/sign-in/email', { email, password }, jar);
      return { jar, r };
    };

    test('sign-in success and failure, sign-out, email verified, password changed, reset requested and reset', async () => {
      const up = await app.post('/api/auth/sign-up/email', { email: 'alice@example.com', password: PASSWORD, name: 'Alice' });
      assert.equal(up.status, 200);
      const id = up.body.user.id as string;
      assert.equal((await app.get(await lastLink('alice@example.com', 'verify-email'))).status, 302);
      assert.equal((await one(id, 'email.verified')).tenant, null);

      const failed = await signIn('alice@example.com', 'not the password');
      assert.equal(failed.r.status, 401);
      const failure = await one(id, 'sign_in.failure');
      assert.deepEqual({ provider: failure.details.provider, method: failure.details.method, ip: failure.ip, tenant: failure.tenant }, { provider: 'kiln', method: 'password', ip: '127.0.0.1', tenant: null });

      const { jar, r } = await signIn('alice@example.com');
      assert.equal(r.status, 200);
      const success = await one(id, 'sign_in.success');
      assert.deepEqual({ provider: success.details.provider, method: success.details.method, actor: success.actor }, { provider: 'kiln', method: 'password', actor: id });
      assert.equal(typeof success.userAgent, 'string');

      assert.equal((await app.post('/api/auth/change-password', { currentPassword: PASSWORD, newPassword: 'a second passphrase' }, jar)).status, 200);
      await one(id, 'password.changed');
      assert.equal((await app.post('/api/auth/sign-out', {}, jar)).status, 200);
      await one(id, 'sign_out');

      assert.equal((await app.post('/api/auth/request-password-reset', { email: 'alice@example.com', redirectTo: '/reset' })).status, 200);
      await one(id, 'password.reset_requested');
      const open = await app.get(await lastLink('alice@example.com', 'reset-password'));
      const token = new URL(open.headers.get('location')!, app.url).searchParams.get('token');
      assert.equal((await app.post('/api/auth/reset-password', { token, newPassword: PASSWORD })).status, 200);
      await one(id, 'password.reset');
      // A failed attempt for an address with no account is recorded without a user.
      await signIn('ghost@example.com', 'whatever it is');
      const ghost = (await events('kind=sign_in.failure')).find((e) => e.details.email === 'ghost@example.com');
      assert.ok(ghost);
      assert.equal(ghost.user, null);
    });

    test('MFA enrolled, failed, verified (a sign-in by TOTP) and disabled', async () => {
      const id = await verifiedAccount(app, 'mia@example.com');
      const { jar } = await signIn('mia@example.com');
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, jar);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      const uri = enrol.body.totpURI as string;
      const wrongCode = totpCode(uri) === '000000' ? '111111' : '000000';
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: wrongCode }, jar)).status, 401);
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(uri) }, jar)).status, 200);
      await one(id, 'mfa.enrolled');

      const phone = new CookieJar();
      const first = await app.post('/api/auth/sign-in/email', { email: 'mia@example.com', password: PASSWORD }, phone);
      assert.equal(first.body.twoFactorRedirect, true);
      await one(id, 'sign_in.mfa_required');
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(uri, Date.now() - 10 * 60_000) }, phone)).status, 401);
      const failures = await events(`user=${id}&kind=mfa.failed`);
      assert.equal(failures.length, 2, 'the wrong code while enrolling and the wrong code at sign-in');
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(uri) }, phone)).status, 200);
      await one(id, 'mfa.verified');
      const signIns = await events(`user=${id}&kind=sign_in.success`);
      assert.deepEqual(signIns.map((e) => e.details.method), ['totp', 'password']);

      assert.equal((await app.post('/api/auth/two-factor/disable', { password: PASSWORD }, phone)).status, 200);
      await one(id, 'mfa.disabled');
    });

    test("membership, role, invitation and API key changes land in the tenant's log, which only its admins read", async () => {
      const alice = await verifiedAccount(app, 'admin-a@example.com');
      const carol = await verifiedAccount(app, 'admin-g@example.com');
      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'admin-a@example.com', roles: ['admin'] } })).status, 201);
      assert.equal((await app.api('/api/tenants/globex/members', { method: 'POST', body: { email: 'admin-g@example.com', roles: ['admin'] } })).status, 201);
      const a = (await signIn('admin-a@example.com')).jar;
      const g = (await signIn('admin-g@example.com')).jar;

      const invited = await app.post('/api/tenants/acme/invitations', { email: 'bob@example.com', roles: ['editor'] }, a);
      assert.equal(invited.status, 201);
      const bob = await verifiedAccount(app, 'bob@example.com');
      const b = (await signIn('bob@example.com')).jar;
      assert.equal((await app.post('/api/auth/organization/accept-invitation', { invitationId: invited.body.data.id }, b)).status, 200);
      assert.equal((await app.put(`/api/tenants/acme/members/${bob}`, { roles: ['writer'] }, a)).status, 200);
      assert.equal((await app.send(`/api/tenants/acme/members/${bob}`, { method: 'DELETE' }, a)).status, 204);
      const key = await app.api('/api/t/acme/api-keys', { body: { name: 'ci', role: 'editor' } });
      assert.equal(key.status, 201);
      assert.equal((await app.api(`/api/t/acme/api-keys/${key.body.data.id}`, { method: 'DELETE' })).status, 204);

      const read = await app.get('/api/tenants/acme/audit', a);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      const log = read.body.data as Entry[];
      assert.ok(log.every((e) => e.tenant === 'acme'));
      const byKind = new Map(log.map((e) => [e.kind, e]));
      assert.deepEqual([...byKind.keys()].sort(), ['api_key.created', 'api_key.revoked', 'invitation.accepted', 'invitation.sent', 'member.added', 'member.removed', 'member.roles_changed']);
      assert.deepEqual({ actor: byKind.get('member.added')!.actor, user: byKind.get('member.added')!.user }, { actor: 'root', user: alice });
      assert.deepEqual({ actor: byKind.get('invitation.sent')!.actor, email: byKind.get('invitation.sent')!.details.email }, { actor: alice, email: 'bob@example.com' });
      assert.deepEqual({ user: byKind.get('invitation.accepted')!.user, roles: byKind.get('invitation.accepted')!.details.roles }, { user: bob, roles: ['editor'] });
      assert.deepEqual({ actor: byKind.get('member.roles_changed')!.actor, user: byKind.get('member.roles_changed')!.user, roles: byKind.get('member.roles_changed')!.details.roles }, { actor: alice, user: bob, roles: ['writer'] });
      assert.deepEqual({ actor: byKind.get('member.removed')!.actor, user: byKind.get('member.removed')!.user }, { actor: alice, user: bob });
      assert.equal(byKind.get('api_key.created')!.details.id, key.body.data.id);
      assert.equal(byKind.get('api_key.revoked')!.actor, 'root');

      // An admin of Globex reads Globex's log, never ACME's; neither admin reads the whole log.
      const globex = await app.get('/api/tenants/globex/audit', g);
      assert.equal(globex.status, 200);
      assert.deepEqual((globex.body.data as Entry[]).map((e) => [e.kind, e.user]), [['member.added', carol]]);
      const denied = await app.get('/api/tenants/acme/audit', g);
      assert.equal(denied.status, 403);
      assert.match(denied.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal((await app.get('/api/tenants/globex/audit', a)).status, 403);
      assert.equal((await app.get('/api/audit', a)).status, 403);
      assert.equal((await app.get('/api/tenants/acme/audit', b)).status, 403, 'a former member, never an admin');
      assert.equal((await app.api('/api/tenants/acme/audit', { token: null })).status, 401);
    });

    test('filters, keyset pages and problems naming the bad parameter', async () => {
      const all = await events('limit=500');
      assert.ok(all.length >= 10);
      const ids = all.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first');

      const seen: string[] = [];
      let cursor = '';
      for (let page = 0; page < 100; page++) {
        const r = await app.api(`/api/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200);
        assert.ok(r.body.data.length <= 3);
        seen.push(...r.body.data.map((e: Entry) => e.id));
        if (!r.body.meta.next) break;
        cursor = r.body.meta.next;
      }
      assert.deepEqual(seen, ids);

      const kinds = await events('kind=sign_in.success,sign_out');
      assert.ok(kinds.length > 0 && kinds.every((e) => e.kind === 'sign_in.success' || e.kind === 'sign_out'));
      const middle = all[Math.floor(all.length / 2)].at;
      const later = await events(`since=${encodeURIComponent(middle)}&limit=500`);
      const earlier = await events(`until=${encodeURIComponent(middle)}&limit=500`);
      assert.ok(later.every((e) => e.at >= middle) && earlier.every((e) => e.at < middle));
      assert.equal(later.length + earlier.length, all.length);
      assert.deepEqual(await events('since=2999-01-01T00:00:00Z'), []);

      for (const [query, field] of [['limit=0', 'limit'], ['since=yesterday', 'since'], ['until=2026-13-45', 'until'], ['cursor=abc', 'cursor'], ['colour=red', 'colour'], ['kind=DROP%20TABLE', 'kind']]) {
        const r = await app.api(`/api/audit?${query}`);
        assert.equal(r.status, 400, query);
        assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
        assert.equal(r.body.errors[0].field, field, query);
      }
    });
  });
}
