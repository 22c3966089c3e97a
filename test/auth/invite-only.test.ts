// An invite-only app (auth.signUp "invite") gets its first admin from the root token: root invites,
// the mail arrives at a real SMTP server, the invited person signs up with that address, verifies it
// and accepts. Nobody else can sign up, and the inviter named on root's invitations cannot sign in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { AUTH_TABLES } from '../../src/auth/identity/auth-schema.ts';
import { type AuthApp } from './helpers.ts';
import type { Mailbox} from './identity-helpers.ts';
import { decodedMail, magazineWithAuth, startMailedApp, verifiedPerson } from './identity-helpers.ts';

for (const driver of await drivers()) {
  describe(`invite-only sign-up (${driver})`, () => {
    let app: AuthApp;
    let mail: Mailbox;
    let close: () => Promise<void>;
    before(async () => {
      ({ app, mail, close } = await startMailedApp(driver, magazineWithAuth({ signUp: 'invite' }), ['acme']));
    });
    after(() => close?.());

    const users = async (email: string) => app.store.driver.db.selectFrom(AUTH_TABLES.user).select(['id', 'emailVerified']).where('email', '=', email).execute();

    test('nobody signs up uninvited: the answer looks like any sign-up, and no account is made', async () => {
      const up = await app.post('/api/auth/sign-up/email', { email: 'stranger@example.com', password: 'correct horse battery staple', name: 'Stranger' });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.deepEqual(await users('stranger@example.com'), []);
    });

    test("the root token invites the first admin, who signs up, verifies and accepts", async () => {
      const invited = await app.api('/api/tenants/acme/invitations', { method: 'POST', body: { email: 'first@example.com', roles: ['admin'] } });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      const invitation = await mail.next();
      assert.deepEqual(invitation.to, ['first@example.com']);
      assert.match(decodedMail(invitation.raw), /The administrator/);

      const first = await verifiedPerson(app, mail, 'first@example.com', 'First');
      const accepted = await app.post('/api/auth/organization/accept-invitation', { invitationId: invited.body.data.id }, first.jar);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.deepEqual((await app.get('/api/me', first.jar)).body.data.memberships, { acme: ['admin'] });
      // The new admin invites the next person themselves.
      assert.equal((await app.post('/api/tenants/acme/invitations', { email: 'second@example.com', roles: ['editor'] }, first.jar)).status, 201);
      assert.deepEqual((await mail.next()).to, ['second@example.com']);
    });

    test('the inviter named on root invitations cannot sign in or be reset into an account', async () => {
      const inviter = await users('administrator@kiln.invalid');
      assert.equal(inviter.length, 1);
      assert.ok(!inviter[0].emailVerified);
      const signIn = await app.post('/api/auth/sign-in/email', { email: 'administrator@kiln.invalid', password: 'correct horse battery staple' });
      assert.equal(signIn.status, 401);
      const accounts = await app.store.driver.db.selectFrom(AUTH_TABLES.account).select('id').where('userId', '=', inviter[0].id).execute();
      assert.deepEqual(accounts, [], 'no password or provider account');
    });
  });
}
