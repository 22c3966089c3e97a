// Refresh token rotation with a grace window. oidc-provider rotates every refresh token and treats a
// second use of a rotated one as theft: it revokes the whole grant. A client that retries a refresh
// whose answer it never received (a dropped connection, two tabs refreshing at once) would log its
// user out. So the refresh_token grant is wrapped:
//
// - The first request presenting a refresh token claims it (a row keyed by the token's SHA-256,
//   inserted only if absent, so one request wins across processes), runs oidc-provider's own grant,
//   and keeps the answer for `graceSeconds`.
// - A request presenting the same token while the claim is pending waits for it; within the grace
//   window, from the same client, while the grant still exists, it gets the kept answer: the same
//   access, refresh and ID tokens, not new ones.
// - Only the immediately previous token is answered: using the new refresh token drops the kept
//   answer of its predecessor. Any other reuse reaches oidc-provider, which revokes the grant.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AnyDB } from '../../data/driver.ts';
import { nowSeconds, OIDC_MODELS_TABLE as TABLE } from './oidc-tables.ts';

// The one piece of oidc-provider's internals Kiln touches: its registered grant handlers, so the
// refresh_token grant can be wrapped rather than rewritten. (Imported by a computed name: the
// package ships no types for it.)
const INTERNALS = 'oidc-provider/lib/helpers/weak_cache.js';
const { default: instance } = (await import(INTERNALS)) as { default: (provider: object) => { grantTypeHandlers: Map<string, (ctx: unknown) => Promise<void>> } | undefined };

const MODEL = 'RefreshReplay';
/** How long a claim may stay pending before others stop waiting for it. */
const PENDING_SECONDS = 10;

type Kept = { state: 'pending' | 'done'; clientId: string; body?: Record<string, unknown> };

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

export function installRefreshGrace(provider: Provider, o: { db: AnyDB; graceSeconds: number }): void {
  const original = instance(provider)?.grantTypeHandlers.get('refresh_token');
  if (!original || o.graceSeconds <= 0) return;
  const { db } = o;

  const read = async (id: string) => {
    const row = await db.selectFrom(TABLE).select(['payload', 'grantId', 'expiresAt']).where('model', '=', MODEL).where('id', '=', id).executeTakeFirst();
    return row ? { ...(JSON.parse(row.payload as string) as Kept), grantId: row.grantId as string | null, expiresAt: Number(row.expiresAt) } : undefined;
  };
  const claim = async (id: string, clientId: string) => {
    const kept: Kept = { state: 'pending', clientId };
    const r = await db
      .insertInto(TABLE)
      .values({ model: MODEL, id, payload: JSON.stringify(kept), expiresAt: nowSeconds() + PENDING_SECONDS })
      .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  };
  const drop = (id: string) => db.deleteFrom(TABLE).where('model', '=', MODEL).where('id', '=', id).execute();

  const handler = async (ctx: KoaContextWithOIDC): Promise<void> => {
    const presented = ctx.oidc.params?.refresh_token;
    const clientId = ctx.oidc.client?.clientId;
    if (typeof presented !== 'string' || !presented || !clientId) return original(ctx);
    const id = digest(presented);
    for (;;) {
      const kept = await read(id);
      if (!kept) {
        if (!(await claim(id, clientId))) continue;
        try {
          await original(ctx);
        } catch (e) {
          await drop(id);
          throw e;
        }
        const body = ctx.body as Record<string, unknown> | undefined;
        const grantId = ctx.oidc.entities.RefreshToken?.grantId;
        if (typeof body?.refresh_token !== 'string' || !grantId) return void (await drop(id));
        const done: Kept = { state: 'done', clientId, body };
        await db
          .updateTable(TABLE)
          .set({ payload: JSON.stringify(done), grantId, uid: digest(body.refresh_token), expiresAt: nowSeconds() + o.graceSeconds })
          .where('model', '=', MODEL)
          .where('id', '=', id)
          .execute();
        // This token's predecessor is no longer the immediately previous one.
        await db.deleteFrom(TABLE).where('model', '=', MODEL).where('uid', '=', id).execute();
        return;
      }
      if (kept.expiresAt <= nowSeconds()) {
        if (kept.state === 'pending') {
          // A claim whose request died: forget it and decide afresh.
          await drop(id);
          continue;
        }
        return original(ctx);
      }
      if (kept.state === 'pending') {
        await sleep(20);
        continue;
      }
      if (kept.clientId === clientId && kept.body && kept.grantId && (await provider.Grant.find(kept.grantId))) {
        ctx.body = kept.body;
        return;
      }
      return original(ctx);
    }
  };
  provider.registerGrantType('refresh_token', handler, ['refresh_token', 'scope', 'resource'], ['resource']);
}
