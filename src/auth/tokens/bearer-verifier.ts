// Bearer JWT access tokens (RFC 9068) for the content API, verified in this process: the signature
// against the provider's public keys held in memory, then iss, aud, exp and typ "at+jwt", then the
// revocation list. No database read per request; an unknown kid makes the key ring read the keys
// again (rate-limited), which is how a key rotated in by another process is learned early.
// A token verified once is remembered (the whole token string, signature included, is the key) until
// it expires or the keys change, so a client repeating its token costs one signature check, not one
// a request; revocation is still checked on every request.
import { LRUCache } from 'lru-cache';
import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Actor } from '../../data/access.ts';
import type { RevocationList } from './revocation-list.ts';

export type AccessTokenClaims = JWTPayload & { client_id?: string; scope?: string; kiln_tenant?: string; kiln_roles?: string[] };

export type VerifierKeys = {
  readonly publicJwks: { keys: JWK[] };
  onChange(listener: () => void): void;
  reloadForUnknownKid(): Promise<boolean>;
};

export type BearerVerifierOptions = {
  issuer: string;
  /** The resource (the app's API URL) access tokens must be issued for. */
  audience: string;
  keys: VerifierKeys;
  revoked: RevocationList;
  algorithms: string[];
};

/** Three base64url parts separated by dots: the shape of a JWS, never of an API key or the root token. */
export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export class BearerVerifier {
  readonly #o: BearerVerifierOptions;
  #jwks: ReturnType<typeof createLocalJWKSet>;
  readonly #verified = new LRUCache<string, AccessTokenClaims>({ max: 10_000 });
  /** Keyed by the cached claims object: it lives as long as the token stays in #verified. */
  readonly #actors = new WeakMap<AccessTokenClaims, Actor>();

  constructor(o: BearerVerifierOptions) {
    this.#o = o;
    this.#jwks = createLocalJWKSet(o.keys.publicJwks);
    o.keys.onChange(() => {
      this.#jwks = createLocalJWKSet(o.keys.publicJwks);
      // A key taken out of service takes its tokens with it.
      this.#verified.clear();
    });
  }

  /** The token's claims when its signature, issuer, audience, type and lifetime hold; revocation is not checked. */
  async claims(token: string, o: { anyAudience?: boolean } = {}): Promise<AccessTokenClaims | undefined> {
    if (!o.anyAudience) {
      const hit = this.#verified.get(token);
      if (hit && typeof hit.exp === 'number' && hit.exp * 1000 > Date.now()) return hit;
      const c = await this.#verify(token, o);
      if (c && typeof c.exp === 'number') this.#verified.set(token, c);
      return c;
    }
    return this.#verify(token, o);
  }

  async #verify(token: string, o: { anyAudience?: boolean }): Promise<AccessTokenClaims | undefined> {
    const options = { issuer: this.#o.issuer, audience: o.anyAudience ? undefined : this.#o.audience, typ: 'at+jwt', algorithms: this.#o.algorithms };
    try {
      return (await jwtVerify<AccessTokenClaims>(token, this.#jwks, options)).payload;
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey && (await this.#o.keys.reloadForUnknownKid())) {
        try {
          return (await jwtVerify<AccessTokenClaims>(token, this.#jwks, options)).payload;
        } catch {
          return undefined;
        }
      }
      return undefined;
    }
  }

  isRevoked(claims: AccessTokenClaims): boolean {
    return typeof claims.jti !== 'string' || this.#o.revoked.has(claims.jti);
  }

  /**
   * The caller a valid, unrevoked access token stands for, or undefined. A client repeating its token
   * gets the same Actor object back, so what the store works out per caller (access.ts) is reused.
   */
  async actor(token: string): Promise<Actor | undefined> {
    const c = await this.claims(token);
    if (!c || typeof c.sub !== 'string' || this.isRevoked(c)) return undefined;
    let actor = this.#actors.get(c);
    if (!actor) this.#actors.set(c, (actor = actorOf(c as AccessTokenClaims & { sub: string })));
    return actor;
  }
}

function actorOf(c: AccessTokenClaims & { sub: string }): Actor {
  const tenant = typeof c.kiln_tenant === 'string' ? c.kiln_tenant : undefined;
  // Roles only ever apply inside the tenant the token was issued for.
  const roles = tenant !== undefined && Array.isArray(c.kiln_roles) ? c.kiln_roles.filter((r) => typeof r === 'string') : [];
  return tenant === undefined ? { kind: 'user', id: c.sub, roles } : { kind: 'user', id: c.sub, roles, tenant };
}
