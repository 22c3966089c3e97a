// Revoked access token ids (jti), checked on every bearer request without a database read. Each
// process keeps the ids in memory until their token would have expired anyway. Revocations are also
// written to the database (so a restarted or newly swapped-in app knows them) and, when Redis is
// configured, published to every other process (redis-revocations.ts).
import type { AnyDB } from '../../data/driver.ts';
import { nowSeconds, OIDC_MODELS_TABLE } from '../provider/oidc-tables.ts';

export type RevokedToken = { jti: string; /** the token's own expiry, seconds since the epoch */ exp: number };

export interface RevocationList {
  /** True when the token id was revoked (and the token has not expired yet). */
  has(jti: string): boolean;
  /** Revokes the ids here, in the database, and in every process that shares the list. */
  revoke(tokens: readonly RevokedToken[]): Promise<void>;
  close(): Promise<void>;
}

export const REVOKED_MODEL = 'RevokedAccessToken';

/** The ids one process knows to be revoked, each forgotten once its token has expired. */
export class RevokedIds {
  readonly #ids = new Map<string, number>();

  has(jti: string): boolean {
    const exp = this.#ids.get(jti);
    return exp !== undefined && exp > nowSeconds();
  }

  add(tokens: readonly RevokedToken[]): void {
    for (const t of tokens) this.#ids.set(t.jti, t.exp);
    if (this.#ids.size > 1000) this.prune();
  }

  prune(): void {
    const now = nowSeconds();
    for (const [jti, exp] of this.#ids) if (exp <= now) this.#ids.delete(jti);
  }

  get size(): number {
    return this.#ids.size;
  }
}

export async function loadRevoked(db: AnyDB): Promise<RevokedToken[]> {
  const rows = await db.selectFrom(OIDC_MODELS_TABLE).select(['id', 'expiresAt']).where('model', '=', REVOKED_MODEL).where('expiresAt', '>', nowSeconds()).execute();
  return rows.map((r) => ({ jti: r.id as string, exp: Number(r.expiresAt) }));
}

export async function storeRevoked(db: AnyDB, tokens: readonly RevokedToken[]): Promise<void> {
  for (const t of tokens) {
    await db
      .insertInto(OIDC_MODELS_TABLE)
      .values({ model: REVOKED_MODEL, id: t.jti, payload: '{}', expiresAt: t.exp })
      .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
      .execute();
  }
}
