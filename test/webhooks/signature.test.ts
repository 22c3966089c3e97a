// Kiln's signatures against the Standard Webhooks reference library and the specification's example.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { newSecret, sign, signatureHeader } from '../../src/data/webhooks/signature.ts';

describe('Standard Webhooks signatures', () => {
  it('matches the specification\'s example', () => {
    assert.equal(
      sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs as the reference library does, for several secrets at once', () => {
    const a = newSecret();
    const b = newSecret();
    const now = new Date();
    const ts = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify({ type: 'articles.create', data: { text: 'naïve ✓' } });
    assert.equal(sign(a, 'msg_1', ts, body), new Webhook(a).sign('msg_1', now, body));
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([a, b], 'msg_1', ts, body) };
    assert.deepEqual(new Webhook(a).verify(body, headers), JSON.parse(body));
    assert.deepEqual(new Webhook(b).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newSecret()).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(a).verify(`${body} `, headers), /No matching signature/);
  });
});
