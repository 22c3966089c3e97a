// Which tenant a grant was given for. A client asks for one with the `kiln_tenant` authorization
// parameter (a single-tenant app has only "default"); the consent step records it beside the grant,
// and every access token of the grant carries it, with the roles the user holds there at issue time.
import type { AnyDB } from '../../data/driver.ts';
import { nowSeconds, OIDC_MODELS_TABLE as TABLE } from './oidc-tables.ts';

const MODEL = 'GrantTenant';

export async function saveGrantTenant(db: AnyDB, grantId: string, tenant: string | undefined, ttlSeconds: number): Promise<void> {
  const row = { payload: JSON.stringify({ tenant: tenant ?? null }), expiresAt: nowSeconds() + ttlSeconds };
  await db
    .insertInto(TABLE)
    .values({ model: MODEL, id: grantId, ...row })
    .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
    .execute();
}

/** The grant's tenant; null when it was given for none; undefined when Kiln never recorded it. */
export async function grantTenant(db: AnyDB, grantId: string): Promise<string | null | undefined> {
  const row = await db.selectFrom(TABLE).select('payload').where('model', '=', MODEL).where('id', '=', grantId).executeTakeFirst();
  return row ? ((JSON.parse(row.payload as string) as { tenant: string | null }).tenant ?? null) : undefined;
}
