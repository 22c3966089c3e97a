// Tenants as organizations, once per driver: root adds a tenant's first admin, the admin invites by
// email (the mail read from a real SMTP server), the invited person accepts after signing up, then
// acts in that tenant with the session cookie and only there; a role change takes effect at once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { type AuthApp } from './helpers.ts';
import type { Mailbox} from './identity-helpers.ts';
import { decodedMail, magazineWithAuth, startMailedApp, verifiedPerson } from './identity-helpers.ts';

for (const driver of await drivers()) {
  describe(`tenants as organizations (${driver})`, () => {
    let app: AuthApp;
    let mail: Mailbox;
    let close: () => Promise<void>;
    before(async () => {
      ({ app, mail, close } = await startMailedApp(driver, magazineWithAuth(), ['acme', 'globex']));
    });
    after(() => close?.());

    test('invite, accept, act in one tenant only, and a role change that takes effect', async () => {
      const alice = await verifiedPerson(app, mail, 'alice@example.com', 'Alice');
      // Roles are the spec's role names.
      const wrong = await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'alice@example.com', roles: ['owner'] } });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.errors[0].field, 'roles.0');
      assert.match(wrong.body.errors[0].detail, /"owner" is not a role/);
      const added = await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'alice@example.com', roles: ['admin'] } });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual((await app.get('/api/me', alice.jar)).body.data.memberships, { acme: ['admin'] });

      // Alice invites Bob, who has no account yet.
      const invited = await app.post('/api/tenants/acme/invitations', { email: 'Bob@Example.com', roles: ['editor'] }, alice.jar);
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      assert.deepEqual({ email: invited.body.data.email, roles: invited.body.data.roles, status: invited.body.data.status }, { email: 'bob@example.com', roles: ['editor'], status: 'pending' });
      const invitation = await mail.next();
      assert.deepEqual(invitation.to, ['bob@example.com']);
      assert.match(invitation.raw, /Subject: You are invited to ACME/);
      const link = new RegExp(`${app.url}/api/tenants/acme/invitations/[0-9a-f-]{36}`).exec(decodedMail(invitation.raw))?.[0];
      assert.ok(link, 'the mail links to the invitation');
      const path = link.slice(app.url.length);
      assert.equal((await app.get(path)).status, 401, 'the invitation is shown to its recipient once signed in');

      const bob = await verifiedPerson(app, mail, 'bob@example.com', 'Bob');
      const shown = await app.get(path, bob.jar);
      assert.equal(shown.status, 200);
      assert.equal(shown.body.data.id, invited.body.data.id);
      // Someone else cannot accept Bob's invitation.
      const carol = await verifiedPerson(app, mail, 'carol@example.com', 'Carol');
      assert.equal((await app.get(path, carol.jar)).status, 404);
      assert.equal((await app.post('/api/auth/organization/accept-invitation', { invitationId: shown.body.data.id }, carol.jar)).status, 403);
      // Before accepting, Bob cannot touch ACME.
      assert.equal((await app.post('/api/t/acme/authors', { name: 'Too early' }, bob.jar)).status, 403);
      const accepted = await app.post('/api/auth/organization/accept-invitation', { invitationId: shown.body.data.id }, bob.jar);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.deepEqual((await app.get('/api/me', bob.jar)).body.data.memberships, { acme: ['editor'] });

      // An editor of ACME writes and reads ACME content with the session cookie.
      const created = await app.post('/api/t/acme/authors', { name: 'Ada Lovelace' }, bob.jar);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const listed = await app.get('/api/t/acme/authors', bob.jar);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.data.map((a: { name: string }) => a.name), ['Ada Lovelace']);
      // …and nothing of Globex.
      assert.equal((await app.get('/api/t/globex/authors', bob.jar)).status, 403);
      assert.equal((await app.post('/api/t/globex/authors', { name: 'Intruder' }, bob.jar)).status, 403);
      assert.equal((await app.api('/api/t/globex/authors')).body.data.length, 0, 'nothing was written to Globex');
      assert.equal((await app.get(`/api/t/globex/authors/${created.body.data.id}`, bob.jar)).status, 403);
      // An editor is not an admin: no managing members.
      assert.equal((await app.get('/api/tenants/acme/members', bob.jar)).status, 403);
      assert.equal((await app.get('/api/tenants/acme/members')).status, 401);

      const members = await app.get('/api/tenants/acme/members', alice.jar);
      assert.equal(members.status, 200);
      assert.deepEqual(members.body.data.map((m: { email: string; roles: string[] }) => [m.email, m.roles]), [['alice@example.com', ['admin']], ['bob@example.com', ['editor']]]);

      // Alice makes Bob a writer: writers may read authors but not create them.
      const changed = await app.put(`/api/tenants/acme/members/${bob.id}`, { roles: ['writer'] }, alice.jar);
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal((await app.post('/api/t/acme/authors', { name: 'Not any more' }, bob.jar)).status, 403);
      assert.equal((await app.get('/api/t/acme/authors', bob.jar)).status, 200);
      assert.deepEqual((await app.get('/api/me', bob.jar)).body.data.memberships, { acme: ['writer'] });

      // Removed, Bob reads nothing of ACME either.
      assert.equal((await app.send(`/api/tenants/acme/members/${bob.id}`, { method: 'DELETE' }, alice.jar)).status, 204);
      assert.equal((await app.get('/api/t/acme/authors', bob.jar)).status, 403);
    });

    test('only the root token adds members directly; admins of one tenant cannot manage another', async () => {
      const dave = await verifiedPerson(app, mail, 'dave@example.com', 'Dave');
      assert.equal((await app.api('/api/tenants/globex/members', { method: 'POST', body: { email: 'dave@example.com', roles: ['admin'] } })).status, 201);
      assert.equal((await app.post('/api/tenants/globex/members', { email: 'alice@example.com', roles: ['editor'] }, dave.jar)).status, 403);
      assert.equal((await app.get('/api/tenants/acme/members', dave.jar)).status, 403);
      assert.equal((await app.post('/api/tenants/acme/invitations', { email: 'eve@example.com', roles: ['editor'] }, dave.jar)).status, 403);
      assert.equal((await app.api('/api/tenants/nowhere/members')).status, 404);
      // The organization plugin's own management endpoints are closed: roles are Kiln's to give.
      const own = await app.post('/api/auth/organization/create', { name: 'Mine', slug: 'mine' }, dave.jar);
      assert.equal(own.status, 404);
      const promote = await app.post('/api/auth/organization/update-member-role', { memberId: 'x', role: 'owner' }, dave.jar);
      assert.equal(promote.status, 404);
      assert.equal((await app.post('/api/t/globex/authors', { name: 'Dave writes' }, dave.jar)).status, 201);
    });

    test('an admin cancels a pending invitation; its link then lets nobody join', async () => {
      const dave = await verifiedPerson(app, mail, 'dave2@example.com', 'Dave');
      assert.equal((await app.api('/api/tenants/globex/members', { method: 'POST', body: { email: 'dave2@example.com', roles: ['admin'] } })).status, 201);
      const sent = await app.post('/api/tenants/globex/invitations', { email: 'erin@example.com', roles: ['editor'] }, dave.jar);
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.deepEqual((await mail.next()).to, ['erin@example.com']);
      const path = `/api/tenants/globex/invitations/${sent.body.data.id}`;
      const pending = await app.get('/api/tenants/globex/invitations', dave.jar);
      assert.deepEqual(pending.body.data.map((i: { email: string }) => i.email), ['erin@example.com']);

      // Only the tenant's admins (and root) cancel, and only the tenant's own invitations.
      const erin = await verifiedPerson(app, mail, 'erin@example.com', 'Erin');
      assert.equal((await app.send(path, { method: 'DELETE' }, erin.jar)).status, 403);
      assert.equal((await app.send(path, { method: 'DELETE' })).status, 401);
      assert.equal((await app.api(`/api/tenants/acme/invitations/${sent.body.data.id}`, { method: 'DELETE' })).status, 404);
      assert.equal((await app.send(path, { method: 'DELETE' }, dave.jar)).status, 204);
      assert.equal((await app.send(path, { method: 'DELETE' }, dave.jar)).status, 404, 'no longer pending');
      assert.deepEqual((await app.get('/api/tenants/globex/invitations', dave.jar)).body.data, []);

      const accepted = await app.post('/api/auth/organization/accept-invitation', { invitationId: sent.body.data.id }, erin.jar);
      assert.ok(accepted.status >= 400, `accepting a canceled invitation fails (${accepted.status})`);
      assert.equal((await app.get('/api/me', erin.jar)).body.data.memberships?.globex, undefined);
      const audit = await app.api('/api/tenants/globex/audit?kind=invitation.canceled');
      assert.deepEqual(audit.body.data.map((e: { details: { email: string } }) => e.details.email), ['erin@example.com']);
    });
  });
}
