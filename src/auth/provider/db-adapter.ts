// oidc-provider's storage Adapter on Kiln's database: one row per stored model instance in
// kiln_oidc_models, keyed by (model, id), with the secondary keys the provider looks things up by
// (grantId, userCode, uid) in their own indexed columns and the payload as JSON.
//
// JWT access tokens are never stored by oidc-provider (they are self-contained), yet revoking a grant
// must stop them: the provider records each one it issues (see recordIssuedAccessToken), and revoking
// a grant's access tokens hands their ids to the revocation list.
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { AnyDB } from '../../data/driver.ts';
import { nowSeconds, OIDC_MODELS_TABLE as TABLE } from './oidc-tables.ts';

/** Kiln's own record of a JWT access token: enough to revoke it with its grant. */
export const ISSUED_ACCESS_TOKEN = 'IssuedAccessToken';

export type RevokeTokenIds = (tokens: { jti: string; exp: number }[]) => Promise<void>;

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

function decode(row: { payload: unknown; consumedAt: unknown } | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload as string) as AdapterPayload;
  if (row.consumedAt !== null && row.consumedAt !== undefined) payload.consumed = Number(row.consumedAt);
  return payload;
}

export async function recordIssuedAccessToken(db: AnyDB, t: { jti: string; grantId: string; exp: number }): Promise<void> {
  await db
    .insertInto(TABLE)
    .values({ model: ISSUED_ACCESS_TOKEN, id: t.jti, payload: JSON.stringify({ exp: t.exp }), grantId: t.grantId, expiresAt: t.exp })
    .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
    .execute();
}

class DbAdapter implements Adapter {
  readonly #db: AnyDB;
  readonly #model: string;
  readonly #revoke: RevokeTokenIds;

  constructor(db: AnyDB, model: string, revoke: RevokeTokenIds) {
    this.#db = db;
    this.#model = model;
    this.#revoke = revoke;
  }

  #live() {
    const now = nowSeconds();
    return this.#db
      .selectFrom(TABLE)
      .select(['payload', 'consumedAt'])
      .where('model', '=', this.#model)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]));
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grantId: GRANTABLE.has(this.#model) ? (payload.grantId ?? null) : null,
      userCode: payload.userCode ?? null,
      uid: this.#model === 'Session' ? (payload.uid ?? null) : null,
      expiresAt: typeof expiresIn === 'number' ? nowSeconds() + expiresIn : null,
      consumedAt: null,
    };
    await this.#db
      .insertInto(TABLE)
      .values({ model: this.#model, id, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return decode(await this.#live().where('id', '=', id).executeTakeFirst());
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return decode(await this.#live().where('userCode', '=', userCode).executeTakeFirst());
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return decode(await this.#live().where('uid', '=', uid).executeTakeFirst());
  }

  async consume(id: string): Promise<void> {
    await this.#db.updateTable(TABLE).set({ consumedAt: nowSeconds() }).where('model', '=', this.#model).where('id', '=', id).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.#db.deleteFrom(TABLE).where('model', '=', this.#model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    if (this.#model === 'AccessToken') {
      const issued = await this.#db.selectFrom(TABLE).select(['id', 'expiresAt']).where('model', '=', ISSUED_ACCESS_TOKEN).where('grantId', '=', grantId).execute();
      if (issued.length) {
        await this.#revoke(issued.map((r) => ({ jti: r.id as string, exp: Number(r.expiresAt) })));
        await this.#db.deleteFrom(TABLE).where('model', '=', ISSUED_ACCESS_TOKEN).where('grantId', '=', grantId).execute();
      }
    }
    await this.#db.deleteFrom(TABLE).where('model', '=', this.#model).where('grantId', '=', grantId).execute();
  }
}

export function dbAdapter(db: AnyDB, revoke: RevokeTokenIds): AdapterFactory {
  return (model: string) => new DbAdapter(db, model, revoke);
}
