// GET /metrics, once per driver: who may read it, and sign-in counters and the latency histogram
// moving after real sign-ins (password, and a failure), beside the default process metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { CookieJar, startAuthApp, type AuthApp } from './helpers.ts';
import { PASSWORD } from './identity-helpers.ts';
import { verifiedAccount, withEnv } from './abuse-client.ts';
import { sample } from './metrics-sample.ts';

const SCRAPER = 'scraper-token-0123456789abcdef';

for (const driver of await drivers()) {
  describe(`metrics (${driver})`, () => {
    let app: AuthApp;
    before(async () => {
      app = await withEnv({ KILN_METRICS_TOKEN: SCRAPER }, () => startAuthApp(driver));
    });
    after(() => app?.close());

    test('only the root token and KILN_METRICS_TOKEN read /metrics', async () => {
      const anonymous = await app.api('/metrics', { token: null });
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal((await app.api('/metrics', { token: 'not-the-token' })).status, 401);
      const scraped = await app.api('/metrics', { token: SCRAPER });
      assert.equal(scraped.status, 200);
      assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.ok(sample(scraped.body, 'process_cpu_user_seconds_total') > 0, 'default process metrics');
      assert.equal((await app.api('/metrics')).status, 200, 'root');
    });

    test('sign-in successes, failures and their latency are counted by provider and method', async () => {
      await verifiedAccount(app, 'mo@example.com');
      const before = (await app.api('/metrics')).body as string;
      const ok = { provider: 'kiln', method: 'password', outcome: 'success' };
      const bad = { provider: 'kiln', method: 'password', outcome: 'failure' };
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'mo@example.com', password: PASSWORD }, new CookieJar())).status, 200);
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'mo@example.com', password: PASSWORD }, new CookieJar())).status, 200);
      assert.equal((await app.post('/api/auth/sign-in/email', { email: 'mo@example.com', password: 'wrong password' }, new CookieJar())).status, 401);
      const after = (await app.api('/metrics')).body as string;
      const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
      assert.equal(moved('kiln_auth_sign_ins_total', ok), 2);
      assert.equal(moved('kiln_auth_sign_ins_total', bad), 1);
      assert.equal(moved('kiln_auth_sign_in_duration_seconds_count', ok), 2);
      assert.equal(moved('kiln_auth_sign_in_duration_seconds_count', bad), 1);
      assert.ok(moved('kiln_auth_sign_in_duration_seconds_sum', ok) > 0, 'argon2id takes time');
      assert.equal(moved('kiln_auth_sign_in_duration_seconds_bucket', { ...ok, le: '+Inf' }), 2);
    });
  });
}
