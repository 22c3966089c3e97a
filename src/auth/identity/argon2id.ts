// Password hashing with argon2id from node:crypto, in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the parameters travel with each hash and can be raised
// later without breaking stored ones. Defaults are OWASP's minimum: 19 MiB, 2 passes, 1 lane.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

export type Argon2Params = { memory: number; passes: number; parallelism: number };

export const OWASP_ARGON2ID: Argon2Params = { memory: 19456, passes: 2, parallelism: 1 };
const SALT_BYTES = 16;
const TAG_BYTES = 32;
const VERSION = 19;

const derive = (password: string, salt: Buffer, p: Argon2Params, tagLength: number) =>
  new Promise<Buffer>((resolve, reject) =>
    argon2('argon2id', { message: password, nonce: salt, parallelism: p.parallelism, memory: p.memory, passes: p.passes, tagLength }, (err, key) => (err ? reject(err) : resolve(key))),
  );

// PHC strings use standard base64 without padding.
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, params: Argon2Params = OWASP_ARGON2ID): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await derive(password, salt, params, TAG_BYTES);
  return `$argon2id$v=${VERSION}$m=${params.memory},t=${params.passes},p=${params.parallelism}$${b64(salt)}$${b64(tag)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{22,})$/;

/** True when `password` matches `hash`; a malformed or foreign hash never matches. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const m = PHC.exec(hash);
  if (!m) return false;
  const params = { memory: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
  const expected = Buffer.from(m[5], 'base64');
  const actual = await derive(password, Buffer.from(m[4], 'base64'), params, expected.length);
  return timingSafeEqual(actual, expected);
}
