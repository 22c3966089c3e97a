// Rate limits shared through Redis: two app instances (two processes of one deployment) count one
// IP address's attempts together. With CI=true Redis is required, not skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { startAuthApp, type AuthApp } from './helpers.ts';
import { redisReachable, REDIS_URL } from './oidc-helpers.ts';
import { postFrom, randomLoopback, withEnv } from './abuse-client.ts';

const reachable = await redisReachable();

for (const driver of await drivers()) {
  describe(`credential rate limits through Redis (${driver})`, { skip: reachable ? false : `Redis at ${REDIS_URL} is not reachable` }, () => {
    let a: AuthApp;
    let b: AuthApp;
    before(async () => {
      const env = { KILN_AUTH_RATE_LIMIT: '5', KILN_AUTH_RATE_WINDOW: '60', KILN_AUTH_SLOWDOWN_AFTER: '3', KILN_REDIS_URL: REDIS_URL };
      a = await withEnv(env, () => startAuthApp(driver));
      b = await withEnv(env, () => startAuthApp(driver));
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });

    test('attempts at one instance count at the other', async () => {
      // Counters outlive the run in Redis: an address of this run only.
      const ip = randomLoopback();
      for (let i = 0; i < 3; i++) assert.equal((await postFrom(ip, a.url, '/api/auth/sign-in/email', { email: `x${i}@example.com`, password: 'wrong password' })).status, 401);
      for (let i = 3; i < 5; i++) assert.equal((await postFrom(ip, b.url, '/api/auth/sign-in/email', { email: `x${i}@example.com`, password: 'wrong password' })).status, 401);
      const limited = await postFrom(ip, a.url, '/api/auth/sign-in/email', { email: 'x9@example.com', password: 'wrong password' });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      assert.equal((await postFrom(ip, b.url, '/api/auth/sign-in/email', { email: 'x9@example.com', password: 'wrong password' })).status, 429);
    });

    test("the per-account slow-down is shared too: failures at one instance slow that pair at the other", async () => {
      const ip = randomLoopback();
      const email = `victim-${ip}@example.com`;
      for (let i = 0; i < 3; i++) assert.equal((await postFrom(ip, i % 2 ? a.url : b.url, '/api/auth/sign-in/email', { email, password: `guess ${i}` })).status, 401);
      assert.equal((await postFrom(ip, b.url, '/api/auth/sign-in/email', { email, password: 'guess 4' })).status, 429);
      assert.equal((await postFrom(ip, a.url, '/api/auth/sign-in/email', { email, password: 'guess 4' })).status, 429);
    });
  });
}
