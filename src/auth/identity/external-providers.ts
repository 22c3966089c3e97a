// The spec's external identity providers, turned into better-auth configuration: github, google,
// microsoft and linkedin through its built-in social providers, and "oidc" (SSO) through the
// generic-oauth plugin reading the issuer's discovery document. Credentials come from the
// environment; a listed provider without them is left out (no button, no callback) and the start
// warns with the variables to set: a spec fresh from `kiln new` that names GitHub must still start.
//
// Every provider must prove the email address (email_verified) before a session is issued, and an
// account at a provider links to an existing Kiln user only when the provider says the address is
// verified (identity.ts configures accountLinking with no trusted providers).
import type { BetterAuthOptions } from 'better-auth';
import type { GenericOAuthConfig } from 'better-auth/plugins';
import type { Spec } from '../../spec/schema.ts';
import type { ProviderCredentials } from './identity-config.ts';

type SpecProvider = NonNullable<NonNullable<Spec['auth']>['providers']>[number];

export type ExternalProvider = {
  /** The id in the spec (and in KILN_AUTH_<ID>_*). */
  id: string;
  type: SpecProvider['type'];
  label: string;
  /**
   * The provider value of POST /api/auth/sign-in/social and the last segment of its callback,
   * /api/auth/callback/<signInId>: the type for social providers (better-auth knows them by type),
   * the spec id for oidc ones.
   */
  signInId: string;
  /** Tenants (slugs) this provider admits people to; undefined: every tenant. */
  tenants?: readonly string[];
};

export type ExternalSignIn = {
  providers: ExternalProvider[];
  socialProviders: NonNullable<BetterAuthOptions['socialProviders']>;
  oidc: GenericOAuthConfig[];
  /** Why listed providers are left out: the variables they need. */
  disabled: string[];
};

const LABELS = { github: 'GitHub', google: 'Google', microsoft: 'Microsoft', linkedin: 'LinkedIn', oidc: 'Single sign-on' } as const;

export function envNames(id: string): [string, string] {
  const key = `KILN_AUTH_${id.toUpperCase()}`;
  return [`${key}_CLIENT_ID`, `${key}_CLIENT_SECRET`];
}

export function externalSignIn(spec: Spec, credentials: (id: string) => ProviderCredentials | undefined = () => undefined): ExternalSignIn {
  const out: ExternalSignIn = { providers: [], socialProviders: {}, oidc: [], disabled: [] };
  for (const p of spec.auth?.providers ?? []) {
    const c = credentials(p.id);
    if (!c) {
      out.disabled.push(`sign-in provider "${p.id}" is off until ${envNames(p.id).join(' and ')} are set`);
      continue;
    }
    const common = { clientId: c.clientId, clientSecret: c.clientSecret, requireEmailVerification: true };
    const signInId = p.type === 'oidc' ? p.id : p.type;
    if (out.providers.some((q) => q.signInId === signInId)) throw new Error(`auth.providers: only one "${p.type}" provider can be configured ("${p.id}")`);
    out.providers.push({ id: p.id, type: p.type, label: p.label ?? LABELS[p.type], signInId, ...(p.tenants && { tenants: p.tenants }) });
    if (p.type === 'oidc') {
      out.oidc.push({
        providerId: p.id,
        name: p.label ?? p.id,
        discoveryUrl: `${p.issuer!.replace(/\/+$/, '')}/.well-known/openid-configuration`,
        // A provider whose discovery names no keys cannot have its ID tokens checked: refuse it.
        requireIdTokenVerification: true,
        scopes: [...new Set(['openid', 'email', 'profile', ...(p.scopes ?? [])])],
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        pkce: true,
        requireEmailVerification: true,
      });
    } else if (p.type === 'microsoft') {
      out.socialProviders.microsoft = { ...common, tenantId: 'common', ...(p.scopes && { scope: p.scopes }) };
    } else {
      out.socialProviders[p.type] = { ...common, ...(p.scopes && { scope: p.scopes }) };
    }
  }
  return out;
}

/** The spec provider behind a better-auth provider id (a callback's or sign-in's). */
export function providerBySignInId(providers: readonly ExternalProvider[], signInId: string): ExternalProvider | undefined {
  return providers.find((p) => p.signInId === signInId);
}
