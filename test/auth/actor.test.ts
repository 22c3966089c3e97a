// Who a request's Authorization header names (src/auth/actor.ts): JWT-shaped tokens are tried as
// access tokens first, so a root token shaped like one must still be the root token, and a token
// that is neither is a 401, never a quiet downgrade to anonymous.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, timingSafeEqual } from 'node:crypto';
import { actorFrom } from '../../src/auth/actor.ts';
import type { Actor } from '../../src/data/access.ts';
import { DataError } from '../../src/data/errors.ts';
import type { RootToken } from '../../src/auth/root-token.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();
const rootOf = (token: string): RootToken => ({ verify: (t) => timingSafeEqual(digest(t), digest(token)) });
const editor: Actor = { kind: 'user', id: 'u1', roles: ['editor'], tenant: 'northwind' };
const bearer = async (jwt: string) => (jwt === 'aaa.bbb.ccc' ? editor : undefined);

describe('actorFrom', () => {
  test('an access token is the user it was issued to', async () => {
    assert.equal(await actorFrom('Bearer aaa.bbb.ccc', rootOf('an-opaque-root-token'), undefined, undefined, bearer), editor);
  });

  test('a root token shaped like a JWT is still the root token', async () => {
    assert.deepEqual(await actorFrom('Bearer root.token.withdots', rootOf('root.token.withdots'), undefined, undefined, bearer), { kind: 'root' });
  });

  test('an opaque root token is the root token', async () => {
    assert.deepEqual(await actorFrom('Bearer an-opaque-root-token', rootOf('an-opaque-root-token'), undefined, undefined, bearer), { kind: 'root' });
  });

  test('a token that is none of these is refused, JWT-shaped or not', async () => {
    for (const token of ['xxx.yyy.zzz', 'not-a-token']) {
      await assert.rejects(actorFrom(`Bearer ${token}`, rootOf('an-opaque-root-token'), undefined, undefined, bearer), (e: unknown) => e instanceof DataError && e.kind === 'unauthenticated');
    }
  });
});
