// Audit records and metrics of the OAuth / OpenID Connect provider, from oidc-provider's events:
//   token.issued / token.refreshed   grant.success at the token endpoint (by grant type)
//   token.refresh_reuse              a rotated refresh token presented again: oidc-provider revokes
//                                    the grant at the token endpoint (grant.revoked there means reuse)
//   token.revoked                    a successful revocation request (RFC 7009), access or refresh
//   grant.revoked                    a grant ended by a revocation
// The provider is rebuilt when the signing keys change, so listeners are attached to whichever
// provider serves the next /oidc request.
import type { FastifyInstance } from 'fastify';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { grantTenant } from '../provider/grant-tenants.ts';
import type { OidcService } from '../provider/oidc-service.ts';
import { OIDC_PREFIX } from '../provider/oidc-service.ts';
import type { AuthMetrics } from '../metrics/auth-metrics.ts';
import type { AuditEvent, AuditLog } from './audit-log.ts';

type Entities = { Account?: { accountId?: string }; AccessToken?: { accountId?: string; grantId?: string }; RefreshToken?: { accountId?: string; grantId?: string }; Grant?: { jti?: string; accountId?: string } };

export function watchOidc(app: FastifyInstance, oidc: OidcService, o: { audit: AuditLog; metrics: AuthMetrics }): void {
  const watched = new WeakSet<Provider>();

  const facts = (ctx: KoaContextWithOIDC, grantId?: string) => {
    const e = (ctx.oidc?.entities ?? {}) as Entities;
    const user = e.Account?.accountId ?? e.AccessToken?.accountId ?? e.RefreshToken?.accountId ?? e.Grant?.accountId ?? null;
    const grant = grantId ?? e.Grant?.jti ?? e.AccessToken?.grantId ?? e.RefreshToken?.grantId;
    return { user, grant, client: ctx.oidc?.client?.clientId, ip: ctx.ip ?? null, userAgent: ctx.get('user-agent') || null };
  };
  const record = (ctx: KoaContextWithOIDC, kind: string, grantId?: string, details: Record<string, unknown> = {}, known?: { user: string; tenant: string | null }) => {
    const f = facts(ctx, grantId);
    const user = known?.user ?? f.user;
    const event = async (): Promise<AuditEvent> => ({
      kind,
      tenant: known ? known.tenant : f.grant ? ((await grantTenant(oidc.db, f.grant).catch(() => undefined)) ?? null) : null,
      actor: user,
      user,
      ip: f.ip,
      userAgent: f.userAgent,
      details: { client: f.client, ...details },
    });
    o.audit.recordLater(event());
  };

  const attach = (p: Provider) => {
    if (watched.has(p)) return;
    watched.add(p);
    p.on('grant.success', (ctx: KoaContextWithOIDC) => {
      const grantType = String(ctx.oidc.params?.grant_type ?? 'unknown');
      o.metrics.tokenIssued(grantType);
      record(ctx, grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued', undefined, { grantType });
    });
    p.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
      if (ctx.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token') {
        o.metrics.refreshReuse();
        record(ctx, 'token.refresh_reuse', grantId, { grant: grantId });
      } else record(ctx, 'grant.revoked', grantId, { grant: grantId });
    });
    // Revocation answers 200 whether or not the token existed (RFC 7009); what was asked is recorded.
    // Structured access tokens reach Kiln's own revocation as unsupported_token_type, which it turns into a 200.
    p.use(async (ctx, next) => {
      await next();
      const c = ctx as KoaContextWithOIDC;
      if (c.oidc?.route !== 'revocation' || !c.oidc.client) return;
      const body = c.body as { error?: string } | undefined;
      if (c.status === 200) record(c, 'token.revoked', undefined, { hint: c.oidc.params?.token_type_hint ?? null });
      else if (c.status === 400 && body?.error === 'unsupported_token_type') {
        // A structured access token, not revoked yet (Kiln's own step runs after this one): whose it is.
        const who = await oidc.bearer(String(c.oidc.params?.token ?? '')).catch(() => undefined);
        const known = who?.kind === 'user' ? { user: who.id, tenant: who.tenant ?? null } : undefined;
        record(c, 'token.revoked', undefined, { hint: 'access_token' }, known);
      }
    });
  };

  app.addHook('onRequest', async (req) => {
    if (req.url === OIDC_PREFIX || req.url.startsWith(`${OIDC_PREFIX}/`)) attach(oidc.provider());
  });
}
