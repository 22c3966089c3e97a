// The OAuth 2.1 / OpenID Connect provider of one running app (oidc-provider 9), at /oidc. Clients
// come from the spec's auth.clients; access tokens are RFC 9068 JWTs for the app's API (the default
// resource), five minutes by default, verified by the content API in-process (tokens/). Storage is
// Kiln's database (db-adapter.ts), signing keys too (signing-keys.ts).
//
// Decisions worth knowing:
// - PKCE S256 is required of every client, confidential ones included.
// - Confidential clients (authenticated by their secret) are consented automatically; public
//   clients (anyone can claim their id) show the consent page.
// - Refresh tokens are issued to clients allowed the refresh_token grant. Without the
//   offline_access scope they end with the browser session; a chain lives at most
//   auth.tokens.refreshToken (30 days) from its first token, rotating on every use.
// - Claims (email, email_verified, name) are in the ID token: the access token's audience is the
//   API, so the userinfo endpoint is off.
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Provider, errors as oidcErrors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { StorageDriver } from '../../data/driver.ts';
import type { Spec } from '../../spec/schema.ts';
import { AUTH_TABLES } from '../identity/auth-schema.ts';
import type { Identity } from '../identity/identity.ts';
import { BearerVerifier, JWT_SHAPE, type AccessTokenClaims } from '../tokens/bearer-verifier.ts';
import { MemoryRevocations } from '../tokens/memory-revocations.ts';
import { RedisRevocations } from '../tokens/redis-revocations.ts';
import type { RevocationList } from '../tokens/revocation-list.ts';
import type { Actor } from '../../data/access.ts';
import { dbAdapter, recordIssuedAccessToken } from './db-adapter.ts';
import { grantTenant } from './grant-tenants.ts';
import { clientSecretVariable, type OAuthConfig } from './oauth-config.ts';
import { ensureOidcTables, deleteExpired, nowSeconds } from './oidc-tables.ts';
import { ADMIN_DEVICE_PAGE, deviceSources } from './device-sources.ts';
import { errorPage, signedOutPage, signOutPage } from './pages.ts';
import { installRefreshGrace } from './refresh-grace.ts';
import { KeyRing, SIGNING_ALG } from './signing-keys.ts';

export const OIDC_PREFIX = '/oidc';
export const TENANT_PARAM = 'kiln_tenant';

/** The roles a user holds in a tenant, asked when an access token is issued (organizations supply it). */
export type TenantRoles = (userId: string, tenant: string) => Promise<readonly string[]>;

export type OidcSetup = {
  driver: StorageDriver;
  spec: Spec;
  identity: Identity;
  config: OAuthConfig;
  /** KILN_PUBLIC_URL; a function is read on first use (tests learn their port after listening). */
  publicUrl: string | (() => string);
  /** The secret cookies are signed with (the identity layer's). */
  secret: string;
  roles?: TenantRoles;
  /** Whether a tenant exists (a token is never issued for one that does not). */
  tenantExists: (slug: string) => Promise<boolean>;
  /** Poll interval of the signing key table (default one minute). */
  keyPollMs?: number;
  /** Without Redis: how often revocations made by other processes are read from the database (default 10 s). */
  revocationPollMs?: number;
  /** Whether the admin UI is served (built): its pages then take the person through sign-in, consent and the device flow. */
  adminUi?: () => boolean;
};

export type OidcService = {
  /** The provider for the current signing keys (rebuilt when they change). */
  provider(): Provider;
  /** Hands a request under /oidc to oidc-provider; `ip` is the caller's address as Fastify sees it. */
  handle(req: IncomingMessage, res: ServerResponse, ip: string): void;
  /** The caller a bearer JWT stands for; undefined when it is not a valid, unrevoked access token. */
  bearer(token: string): Promise<Actor | undefined>;
  /** The signed-in user of a request's Kiln session cookie, or undefined. */
  sessionUser(url: string, headers: IncomingHttpHeaders, setCookie: (cookies: string[]) => void): Promise<string | undefined>;
  readonly identity: Identity;
  readonly keys: KeyRing;
  readonly revocations: RevocationList;
  readonly tenantFor: (requested: unknown) => string | undefined;
  readonly tenantExists: (slug: string) => Promise<boolean>;
  /** Whether a user may be given a token for a tenant: in a multi-tenant app, only its members. */
  mayActIn(userId: string, tenant: string): Promise<boolean>;
  /** Why a user may not give a client access to a tenant (none such, or not a member); undefined when they may. */
  refusal(userId: string, tenant: string | undefined): Promise<string | undefined>;
  /** Whether the admin UI shows the provider's pages (else the server-rendered ones of pages.ts). */
  adminUi(): boolean;
  /** The public origin (scheme, host, port): the only origin allowed to drive an interaction. */
  origin(): string;
  readonly grantSeconds: number;
  readonly appName: string;
  readonly db: StorageDriver['db'];
  close(): Promise<void>;
};

const seconds = (d: string | undefined, fallback: number): number => {
  if (!d) return fallback;
  return Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400 }[d.slice(-1) as 's' | 'm' | 'h' | 'd'];
};

const SINGLE_TENANT = 'default';

function clientsOf(spec: Spec, config: OAuthConfig): ClientMetadata[] {
  return (spec.auth?.clients ?? []).map((c) => {
    const grants = c.grants ?? ['authorization_code', 'refresh_token'];
    const redirects = c.redirectUris ?? [];
    const meta: ClientMetadata = {
      client_id: c.id,
      client_name: c.name,
      grant_types: [...grants],
      response_types: grants.includes('authorization_code') ? ['code'] : [],
      redirect_uris: redirects,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      id_token_signed_response_alg: SIGNING_ALG,
      // Apps with a custom scheme or a loopback redirect are native apps (RFC 8252).
      application_type: redirects.some((u) => !/^https:/.test(u)) ? 'native' : 'web',
    };
    if (c.type === 'public') return { ...meta, token_endpoint_auth_method: 'none' };
    const secret = config.clientSecret(c.id);
    if (!secret) throw new Error(`${clientSecretVariable(c.id)} is not set: the confidential OAuth client "${c.id}" authenticates with it`);
    return { ...meta, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' };
  });
}

export async function createOidcService(s: OidcSetup): Promise<OidcService> {
  await ensureOidcTables(s.driver);
  await deleteExpired(s.driver.db);
  const db = s.driver.db;
  const tokens = s.spec.auth?.tokens ?? {};
  const accessSeconds = seconds(tokens.accessToken, 300);
  const idSeconds = seconds(tokens.idToken, 3600);
  const refreshSeconds = seconds(tokens.refreshToken, 30 * 86400);
  const sessionSeconds = seconds(tokens.session, 7 * 86400);
  const clients = clientsOf(s.spec, s.config);
  const appName = s.spec.title ?? s.spec.name;
  const base = () => (typeof s.publicUrl === 'function' ? s.publicUrl() : s.publicUrl).replace(/\/+$/, '');
  const tenantFor = (requested: unknown) => (s.spec.tenancy === 'single' ? SINGLE_TENANT : typeof requested === 'string' && requested ? requested : undefined);

  const keys = await KeyRing.open(s.driver, { keepSeconds: Math.max(accessSeconds, idSeconds) + 60, pollMs: s.keyPollMs });
  const channel = `kiln:${s.spec.name}:revoked-tokens`;
  const revocations: RevocationList = s.config.redisUrl ? await RedisRevocations.open(db, s.config.redisUrl, channel) : await MemoryRevocations.open(db, { pollMs: s.revocationPollMs });
  const cleanup = setInterval(() => void deleteExpired(db).catch(() => {}), 10 * 60_000);
  cleanup.unref();

  let verifier: BearerVerifier | undefined;
  const verify = () =>
    (verifier ??= new BearerVerifier({ issuer: `${base()}${OIDC_PREFIX}`, audience: `${base()}/api`, keys, revoked: revocations, algorithms: [SIGNING_ALG] }));

  const adminUi = s.adminUi ?? (() => false);
  async function sessionUser(url: string, headers: IncomingHttpHeaders, setCookie: (cookies: string[]) => void): Promise<string | undefined> {
    const a = await s.identity.sessionActor(url, headers, setCookie);
    return a?.kind === 'user' ? a.id : undefined;
  }
  const mayActIn = async (userId: string, tenant: string) => s.spec.tenancy === 'single' || ((await s.roles?.(userId, tenant)) ?? []).length > 0;
  async function refusal(userId: string, tenant: string | undefined): Promise<string | undefined> {
    if (tenant === undefined) return undefined;
    if (!(await s.tenantExists(tenant))) return `There is no tenant "${tenant}".`;
    if (!(await mayActIn(userId, tenant))) return `You are not a member of "${tenant}", so you cannot give access to it.`;
    return undefined;
  }

  const cookieKey = createHmac('sha256', s.secret).update('kiln-oidc-cookies').digest('base64url');

  function configuration(): Configuration {
    const https = base().startsWith('https://');
    const apiUrl = `${base()}/api`;
    return {
      adapter: dbAdapter(db, (t) => revocations.revoke(t)),
      clients,
      clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], id_token_signed_response_alg: SIGNING_ALG, token_endpoint_auth_method: 'client_secret_basic' },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
      jwks: { keys: keys.privateJwks as never },
      cookies: {
        keys: [cookieKey],
        names: { session: 'kiln_oidc_session', interaction: 'kiln_oidc_interaction', resume: 'kiln_oidc_resume' },
        long: { httpOnly: true, sameSite: 'lax', secure: https },
        short: { httpOnly: true, sameSite: 'lax', secure: https },
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      conformIdTokenClaims: false,
      scopes: ['openid', 'offline_access', 'email', 'profile'],
      // OAuth 2.1: the authorization code flow only, no implicit or hybrid responses.
      responseTypes: ['code'],
      extraParams: [TENANT_PARAM],
      pkce: { required: () => true },
      rotateRefreshToken: true,
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      features: {
        devInteractions: { enabled: false },
        // Kiln's API does not check proof-of-possession, so it must not issue tokens that need it.
        dPoP: { enabled: false },
        userinfo: { enabled: false },
        // A client revokes only its own tokens; a public client (anyone may claim its id) introspects only its own.
        revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
        introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId },
        clientCredentials: { enabled: clients.some((c) => c.grant_types?.includes('client_credentials')) },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (ctx, form) => void (ctx.body = signOutPage(form, appName)),
          postLogoutSuccessSource: async (ctx) => void (ctx.body = signedOutPage(appName)),
        },
        deviceFlow: {
          enabled: true,
          ...deviceSources({
            adminUi,
            tenantFor,
            refusal: async (ctx, tenant) => {
              const user = await sessionUser(ctx.originalUrl, ctx.req.headers, (c) => ctx.append('set-cookie', c));
              return user ? refusal(user, tenant) : undefined;
            },
          }),
        },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => apiUrl,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx, resource) => {
            if (resource !== apiUrl) throw new oidcErrors.InvalidTarget(`the only resource is ${apiUrl}`);
            return { scope: 'api', audience: apiUrl, accessTokenTTL: accessSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: SIGNING_ALG } } };
          },
        },
      },
      extraTokenClaims: async (_ctx, token) => {
        if (token.kind !== 'AccessToken' || !('accountId' in token)) return undefined;
        const at = token as InstanceType<Provider['AccessToken']>;
        if (!at.grantId) return undefined;
        if (at.format === 'jwt') await recordIssuedAccessToken(db, { jti: at.jti, grantId: at.grantId, exp: at.exp ?? nowSeconds() + at.expiration });
        const recorded = await grantTenant(db, at.grantId);
        const tenant = s.spec.tenancy === 'single' ? SINGLE_TENANT : (recorded ?? undefined);
        if (!tenant || !at.accountId) return undefined;
        return { kiln_tenant: tenant, kiln_roles: [...((await s.roles?.(at.accountId, tenant)) ?? [])] };
      },
      findAccount: async (_ctx, sub) => {
        const user = await db.selectFrom(AUTH_TABLES.user).select(['id', 'email', 'emailVerified', 'name']).where('id', '=', sub).executeTakeFirst();
        if (!user) return undefined;
        return {
          accountId: sub,
          claims: async () => ({ sub, email: user.email as string, email_verified: user.emailVerified === true || Number(user.emailVerified) === 1, name: (user.name as string) || undefined }),
        };
      },
      loadExistingGrant: async (ctx) => {
        const fromResult = ctx.oidc.result?.consent?.grantId as string | undefined;
        const grantId = fromResult ?? (ctx.oidc.client ? ctx.oidc.session?.grantIdFor(ctx.oidc.client.clientId) : undefined);
        if (!grantId) return undefined;
        // A grant given for another tenant is not this request's grant: ask again.
        if (!fromResult && ((await grantTenant(db, grantId)) ?? undefined) !== tenantFor(ctx.oidc.params?.[TENANT_PARAM])) return undefined;
        return ctx.oidc.provider.Grant.find(grantId);
      },
      interactions: { url: async (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}` },
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = errorPage(out);
      },
      ttl: {
        AccessToken: accessSeconds,
        ClientCredentials: accessSeconds,
        AuthorizationCode: 60,
        IdToken: idSeconds,
        DeviceCode: 600,
        Interaction: 3600,
        Session: sessionSeconds,
        Grant: refreshSeconds,
        // A rotated token inherits what is left of its chain.
        RefreshToken: (ctx) => ctx?.oidc?.entities.RotatedRefreshToken?.remainingTTL ?? refreshSeconds,
      },
    };
  }

  let current: Provider | undefined;
  keys.onChange(() => (current = undefined));

  function build(): Provider {
    const p = new Provider(`${base()}${OIDC_PREFIX}`, configuration());
    // Requests reach it with the public URL's host and scheme (handle() sets them).
    p.proxy = true;
    installRefreshGrace(p, { db, graceSeconds: s.config.refreshGraceSeconds });
    p.use(async (ctx, next) => {
      await next();
      await afterRoute(ctx as KoaContextWithOIDC);
    });
    return p;
  }

  /** What oidc-provider leaves to Kiln: structured access tokens at revocation and introspection, and signing out of Kiln too. */
  async function afterRoute(ctx: KoaContextWithOIDC): Promise<void> {
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    const route = oidc?.route;
    if (!oidc || !route) return;
    const body = ctx.body as { error?: string } | undefined;
    if ((route === 'revocation' || route === 'introspection') && ctx.status === 400 && body?.error === 'unsupported_token_type' && oidc.client) {
      const token = String(oidc.params?.token ?? '');
      const claims = JWT_SHAPE.test(token) ? await verify().claims(token, { anyAudience: true }) : undefined;
      ctx.status = 200;
      if (route === 'revocation') {
        // RFC 7009: a client revokes its own tokens; anything else is answered 200 and ignored.
        if (claims?.client_id === oidc.client.clientId && typeof claims.jti === 'string' && typeof claims.exp === 'number') await revocations.revoke([{ jti: claims.jti, exp: claims.exp }]);
        ctx.body = '';
      } else {
        const active = claims && !verify().isRevoked(claims) && (oidc.client.clientAuthMethod !== 'none' || claims.client_id === oidc.client.clientId);
        ctx.body = active ? introspection(claims) : { active: false };
      }
      return;
    }
    if (route === 'device_authorization' && ctx.status === 200 && adminUi()) {
      // The admin UI's page is where people enter the code (device-sources.ts).
      const out = ctx.body as { user_code: string; verification_uri: string; verification_uri_complete: string };
      out.verification_uri = `${base()}${ADMIN_DEVICE_PAGE}`;
      out.verification_uri_complete = `${base()}${ADMIN_DEVICE_PAGE}?user_code=${encodeURIComponent(out.user_code)}`;
      return;
    }
    if (route === 'end_session_confirm' && oidc.params?.logout && ctx.status < 400) {
      const cookie = ctx.get('cookie');
      if (!cookie) return;
      try {
        const out = await s.identity.auth().api.signOut({ headers: new Headers({ cookie }), returnHeaders: true });
        for (const c of out.headers.getSetCookie()) ctx.append('set-cookie', c);
      } catch {
        // No Kiln session to end.
      }
    }
  }

  const provider = () => (current ??= build());

  return {
    provider,
    handle(req, res, ip) {
      const url = new URL(base());
      // oidc-provider builds its URLs from the request: make them the public URL's, whatever Host
      // or X-Forwarded-* the caller sent.
      req.headers['x-forwarded-host'] = url.host;
      req.headers['x-forwarded-proto'] = url.protocol.slice(0, -1);
      req.headers['x-forwarded-for'] = ip;
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = (req.url ?? '/').slice(OIDC_PREFIX.length) || '/';
      void provider().callback()(req, res);
    },
    bearer: (token) => verify().actor(token),
    sessionUser,
    identity: s.identity,
    keys,
    revocations,
    tenantFor,
    tenantExists: s.tenantExists,
    mayActIn,
    refusal,
    adminUi,
    origin: () => new URL(base()).origin,
    grantSeconds: refreshSeconds,
    appName,
    db,
    async close() {
      clearInterval(cleanup);
      keys.close();
      await revocations.close();
    },
  };
}

function introspection(c: AccessTokenClaims): Record<string, unknown> {
  const { sub, client_id, scope, exp, iat, iss, aud, jti, kiln_tenant, kiln_roles } = c;
  return { active: true, token_type: 'Bearer', sub, client_id, scope, exp, iat, iss, aud, jti, kiln_tenant, kiln_roles };
}
