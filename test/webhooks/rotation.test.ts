// Secret rotation: after a rotation each message carries a signature for the new secret and one for
// the old, so receivers on either verify; once the grace period is over only the new one signs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { create, createTenant, startReceiver, startWebhookApp, subscribe, verify, waitFor, type Json, type Receiver, type WebhookApp } from './helpers.ts';
import { WebhookSubscriptions } from '../../src/data/webhooks/subscriptions.ts';

for (const d of await drivers()) {
  describe(`webhook secret rotation (${d})`, () => {
    let app: WebhookApp;
    let done: () => Promise<void>;
    let receiver: Receiver;
    let sub: Json;

    /** Creates a tag and returns the request the receiver got for it. */
    const deliveryOf = async (name: string) => {
      const tag = await create(app, 'alpha', 'tags', { name });
      return waitFor(`the delivery of ${name}`, () => receiver.requests.find((r) => JSON.parse(r.body).data.id === tag.id));
    };

    before(async () => {
      ({ app, done } = await startWebhookApp(d));
      receiver = await startReceiver();
      await createTenant(app, 'alpha');
      sub = await subscribe(app, 'alpha', { url: receiver.url });
    });
    after(async () => {
      await done();
      await receiver.close();
    });

    it('signs with both secrets during the grace period, and with the new one only after it', async () => {
      const old = sub.secret as string;
      const before = await deliveryOf('before');
      assert.equal(String(before.headers['webhook-signature']).split(' ').length, 1);
      verify(old, before);

      const rotated = await app.api(`/api/t/alpha/webhooks/${sub.id}/rotate-secret`, { method: 'POST' });
      assert.equal(rotated.status, 200);
      const fresh = rotated.body.data.secret as string;
      assert.match(fresh, /^whsec_/);
      assert.notEqual(fresh, old);
      const grace = Date.parse(rotated.body.data.previousSecretExpiresAt) - Date.now();
      assert.ok(grace > 23 * 3600_000 && grace <= 24 * 3600_000, 'the old secret signs for about a day');
      assert.equal('secret' in (await app.api(`/api/t/alpha/webhooks/${sub.id}`)).body.data, false);
      assert.throws(() => verify(fresh, before), /No matching signature/);

      const during = await deliveryOf('during');
      const sigs = String(during.headers['webhook-signature']).split(' ');
      assert.equal(sigs.length, 2);
      assert.ok(sigs.every((s) => /^v1,[A-Za-z0-9+/]{43}=$/.test(s)));
      assert.equal(verify(old, during).type, 'tags.create', 'a receiver still on the old secret verifies');
      assert.equal(verify(fresh, during).type, 'tags.create', 'a receiver on the new secret verifies');

      // A rotation with no grace: the secret it replaces stops signing at once.
      const newest = await new WebhookSubscriptions(app.store).rotateSecret({ tenant: 'alpha', actor: { kind: 'root' } }, sub.id, 0);
      const after = await deliveryOf('after');
      assert.equal(String(after.headers['webhook-signature']).split(' ').length, 1);
      verify(newest.secret, after);
      assert.throws(() => verify(fresh, after), /No matching signature/);
      assert.throws(() => verify(old, after), /No matching signature/);
    });

    it('refuses a rotation without the root token or for an unknown subscription', async () => {
      assert.equal((await app.api(`/api/t/alpha/webhooks/${sub.id}/rotate-secret`, { method: 'POST', token: null })).status, 401);
      assert.equal((await app.api(`/api/t/alpha/webhooks/${sub.id}/rotate-secret`, { method: 'POST', token: 'wrong' })).status, 401);
      assert.equal((await app.api('/api/t/alpha/webhooks/01900000-0000-7000-8000-000000000000/rotate-secret', { method: 'POST' })).status, 404);
      assert.equal((await app.api('/api/t/alpha/webhooks/not-an-id/rotate-secret', { method: 'POST' })).status, 404);
    });
  });
}
