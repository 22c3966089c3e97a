// Who a request comes from. A missing Authorization header is an anonymous caller; a wrong one is
// refused outright rather than quietly treated as anonymous. Without the header, a session cookie
// names the caller; cookies are ambient (sent whether the caller meant to or not), so a stale one is
// anonymous rather than an error.
import type { Actor } from '../data/access.ts';
import { DataError } from '../data/errors.ts';
import { API_KEY_PREFIX, type ApiKeys } from './api-keys.ts';
import type { RootToken } from './root-token.ts';
import { JWT_SHAPE } from './tokens/bearer-verifier.ts';

const ANONYMOUS: Actor = { kind: 'anonymous' };
const ROOT: Actor = { kind: 'root' };

export async function actorFrom(authorization: string | undefined, root: RootToken, keys?: ApiKeys, session?: () => Promise<Actor | undefined>, bearer?: (jwt: string) => Promise<Actor | undefined>): Promise<Actor> {
  if (authorization === undefined || authorization === '') return (await session?.()) ?? ANONYMOUS;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!m) throw new DataError('unauthenticated', 'The Authorization header must be "Bearer <token>"');
  const token = m[1];
  if (keys && token.startsWith(API_KEY_PREFIX)) {
    const actor = await keys.verify(token);
    if (actor) return actor;
  } else if (bearer && JWT_SHAPE.test(token)) {
    // An OAuth access token is a JWT: three dot-separated parts. Tried first, so the hot path skips
    // hashing a long token for the root check; a root token that happens to look like one still works.
    const actor = await bearer(token);
    if (actor) return actor;
    if (root.verify(token)) return ROOT;
  } else if (root.verify(token)) return ROOT;
  throw new DataError('unauthenticated', 'The bearer token is not valid');
}
