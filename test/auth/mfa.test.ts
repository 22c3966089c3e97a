// TOTP MFA with recovery codes, once per driver, with the spec's policy "required" for editors: an
// editor who has not enrolled is limited to enrolling, enrolment is confirmed with a code computed
// here per RFC 6238, password sign-in then asks for the second factor, a recovery code works once,
// and it cannot be turned off while the policy requires it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { CookieJar, type AuthApp } from './helpers.ts';
import type { Mailbox} from './identity-helpers.ts';
import { magazineWithAuth, startMailedApp, PASSWORD, totpCode, verifiedPerson } from './identity-helpers.ts';

for (const driver of await drivers()) {
  describe(`MFA (${driver})`, () => {
    let app: AuthApp;
    let mail: Mailbox;
    let close: () => Promise<void>;
    before(async () => {
      ({ app, mail, close } = await startMailedApp(driver, magazineWithAuth({ mfa: { policy: 'required', roles: ['editor'] } }), ['acme']));
    });
    after(() => close?.());

    test('an editor must enrol before using the content API; sign-in then asks for a TOTP code', async () => {
      const erin = await verifiedPerson(app, mail, 'erin@example.com', 'Erin');
      const frank = await verifiedPerson(app, mail, 'frank@example.com', 'Frank');
      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'erin@example.com', roles: ['editor'] } })).status, 201);
      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'frank@example.com', roles: ['writer'] } })).status, 201);

      const refused = await app.get('/api/t/acme/authors', erin.jar);
      assert.equal(refused.status, 403);
      assert.match(refused.headers.get('content-type')!, /application\/problem\+json/);
      assert.equal(refused.body.errors[0].field, 'mfa');
      assert.match(refused.body.errors[0].detail, /two-factor\/enable/);
      // The policy names editors only: a writer goes on without MFA.
      assert.equal((await app.get('/api/t/acme/authors', frank.jar)).status, 200);

      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, erin.jar);
      assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
      assert.match(enrol.body.totpURI, /^otpauth:\/\/totp\//);
      assert.ok(enrol.body.backupCodes.length >= 5);
      // Enrolment counts once a code from the app is confirmed.
      assert.equal((await app.get('/api/t/acme/authors', erin.jar)).status, 403);
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: '000000' === totpCode(enrol.body.totpURI) ? '111111' : '000000' }, erin.jar)).status, 401);
      const confirmed = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, erin.jar);
      assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
      assert.equal((await app.get('/api/t/acme/authors', erin.jar)).status, 200);

      // A password alone no longer makes a session.
      const phone = new CookieJar();
      const first = await app.post('/api/auth/sign-in/email', { email: 'erin@example.com', password: PASSWORD }, phone);
      assert.equal(first.status, 200);
      assert.equal(first.body.twoFactorRedirect, true);
      assert.ok(!phone.cookies.has('kiln.session_token'), 'no session before the second factor');
      assert.deepEqual((await app.get('/api/me', phone)).body.data, { kind: 'anonymous' });
      const wrong = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI, Date.now() - 10 * 60_000) }, phone);
      assert.equal(wrong.status, 401);
      const second = await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, phone);
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal((await app.get('/api/me', phone)).body.data.id, erin.id);
      assert.equal((await app.get('/api/t/acme/authors', phone)).status, 200);

      // A recovery code stands in for the app, once.
      const code = enrol.body.backupCodes[0];
      const laptop = new CookieJar();
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'erin@example.com', password: PASSWORD }, laptop)).body.twoFactorRedirect, true);
      const recovered = await app.post('/api/auth/two-factor/verify-backup-code', { code }, laptop);
      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      assert.equal((await app.get('/api/me', laptop)).body.data.id, erin.id);
      const again = new CookieJar();
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'erin@example.com', password: PASSWORD }, again)).body.twoFactorRedirect, true);
      assert.equal((await app.post('/api/auth/two-factor/verify-backup-code', { code }, again)).status, 401);
      assert.deepEqual((await app.get('/api/me', again)).body.data, { kind: 'anonymous' });
      const other = await app.post('/api/auth/two-factor/verify-backup-code', { code: enrol.body.backupCodes[1] }, again);
      assert.equal(other.status, 200, 'another recovery code still works');

      // The policy requires it of editors: Erin may not turn it off, even with her password.
      const off = await app.post('/api/auth/two-factor/disable', { password: PASSWORD }, erin.jar);
      assert.equal(off.status, 403, JSON.stringify(off.body));
      assert.equal(off.body.code, 'MFA_REQUIRED');
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'erin@example.com', password: PASSWORD }, new CookieJar())).body.twoFactorRedirect, true, 'still asked for the code');
    });

    test('a person whose roles the policy does not name may turn two-factor off', async () => {
      const gus = await verifiedPerson(app, mail, 'gus@example.com', 'Gus');
      assert.equal((await app.api('/api/tenants/acme/members', { method: 'POST', body: { email: 'gus@example.com', roles: ['writer'] } })).status, 201);
      const enrol = await app.post('/api/auth/two-factor/enable', { password: PASSWORD }, gus.jar);
      assert.equal((await app.post('/api/auth/two-factor/verify-totp', { code: totpCode(enrol.body.totpURI) }, gus.jar)).status, 200);
      const off = await app.post('/api/auth/two-factor/disable', { password: PASSWORD }, gus.jar);
      assert.equal(off.status, 200, JSON.stringify(off.body));
      const signedIn = await app.post('/api/auth/sign-in/email', { email: 'gus@example.com', password: PASSWORD }, new CookieJar());
      assert.equal(signedIn.status, 200);
      assert.notEqual(signedIn.body.twoFactorRedirect, true);
    });
  });
}
