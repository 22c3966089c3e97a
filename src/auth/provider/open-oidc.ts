// Opens the provider for one app from what buildApp has at hand: the store, the identity layer and
// its settings, and the OAuth settings from the environment (tests pass their own).
import type { Store } from '../../data/store.ts';
import { setupAuthSecret } from '../identity/auth-secret.ts';
import type { Identity } from '../identity/identity.ts';
import type { IdentityConfig } from '../identity/identity-config.ts';
import { readOAuthConfig, type OAuthConfig } from './oauth-config.ts';
import { createOidcService, type OidcService, type TenantRoles } from './oidc-service.ts';

export type OidcOptions = {
  /** Default: readOAuthConfig() from the environment. */
  config?: OAuthConfig;
  /** The roles a user holds in a tenant (default: their membership in the tenant's organization). */
  roles?: TenantRoles;
  keyPollMs?: number;
  revocationPollMs?: number;
  /** Whether the admin UI is served (default: never; buildApp passes whether its build exists). */
  adminUi?: () => boolean;
};

export async function openOidc(o: { store: Store; identity: Identity; identityConfig: IdentityConfig } & OidcOptions): Promise<OidcService> {
  const { store } = o;
  const tenantExists = async (slug: string) => {
    try {
      await store.tenantIdFor({ tenant: slug, actor: { kind: 'root' } });
      return true;
    } catch {
      return false;
    }
  };
  return createOidcService({
    driver: store.driver,
    spec: store.spec,
    identity: o.identity,
    config: o.config ?? readOAuthConfig(),
    publicUrl: o.identityConfig.publicUrl,
    secret: await setupAuthSecret(store.driver, o.identityConfig.secret),
    roles: o.roles ?? (async (userId, tenant) => (await o.identity.tenants.membershipsOf(userId))[tenant] ?? []),
    tenantExists,
    keyPollMs: o.keyPollMs,
    revocationPollMs: o.revocationPollMs,
    adminUi: o.adminUi,
  });
}
