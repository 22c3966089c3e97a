// The identity layer of one running app: a better-auth instance on the app's own database (Kysely),
// with argon2id passwords, required email verification, password reset and session revocation, and
// mail through the outbox; social and SSO sign-in (external-providers.ts) with account linking by
// verified email only; passkeys (passkey-sign-in.ts); TOTP MFA with recovery codes (mfa-policy.ts); tenants as organizations
// (tenant-organizations.ts). Its HTTP endpoints live under /api/auth (identity-routes.ts); the
// content API asks it for the actor behind a session cookie (sessionActor), with the person's roles
// per tenant.
import { betterAuth, type BetterAuthPlugin } from 'better-auth';
import { genericOAuth, organization, twoFactor } from 'better-auth/plugins';
import type { IncomingHttpHeaders } from 'node:http';
import type { Actor } from '../../data/access.ts';
import type { StorageDriver } from '../../data/driver.ts';
import type { JobQueue } from '../../data/queue/job-queue.ts';
import type { Spec } from '../../spec/schema.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { MailConfig } from '../mail/mail-config.ts';
import { MailOutbox } from '../mail/outbox.ts';
import { resetPasswordMail, verifyEmailMail } from '../mail/templates.ts';
import { hashPassword, verifyPassword } from './argon2id.ts';
import { authSchemaOptions, ORGANIZATION_SCHEMA, TWO_FACTOR_TABLE } from './auth-schema.ts';
import { setupAuthSecret } from './auth-secret.ts';
import { ensureIdentityTables } from './auth-tables.ts';
import { endpointGuard } from './endpoint-guard.ts';
import { externalSignIn, type ExternalProvider, type ExternalSignIn } from './external-providers.ts';
import type { IdentityConfig } from './identity-config.ts';
import { magicLinkEnabled, magicLinkSignIn } from './magic-link.ts';
import { mfaEnabled, mfaEnrolmentRequired, mfaRequired } from './mfa-policy.ts';
import { PASSKEY_PATHS, passkeyEnabled, passkeySignIn, sessionViaPasskey } from './passkey-sign-in.ts';
import { secondFactorChallenge } from './second-factor-challenge.ts';
import { signInGate } from './sign-in-gate.ts';
import { TenantOrganizations } from './tenant-organizations.ts';

export const AUTH_BASE_PATH = '/api/auth';
const COOKIE_PREFIX = 'kiln';

export type IdentitySetup = {
  driver: StorageDriver;
  spec: Spec;
  queue: JobQueue;
  config: IdentityConfig;
  mail: MailConfig;
  /** Security events: the log member routes write to, and the plugin recording better-auth's (src/auth/audit). */
  audit?: { log: AuditLog; trail: BetterAuthPlugin };
};

const seconds = (d: string | undefined, fallback: number) => {
  if (!d) return fallback;
  const n = Number(d.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600, d: 86400 }[d.slice(-1) as 's' | 'm' | 'h' | 'd'];
};

type AuthParts = { secret: string; outbox: MailOutbox; publicUrl: string; external: ExternalSignIn; tenants: () => TenantOrganizations };

function createAuth(s: IdentitySetup, p: AuthParts) {
  const { secret, outbox, publicUrl } = p;
  const auth = s.spec.auth ?? {};
  const app = s.spec.title ?? s.spec.name;
  const cache = s.config.cookieCacheSeconds;
  const plugins = [
    // Passwordless enrolment lets people who only sign in through a provider enrol too.
    twoFactor({ twoFactorTable: TWO_FACTOR_TABLE, issuer: app, allowPasswordless: true }),
    organization({
      schema: ORGANIZATION_SCHEMA,
      allowUserToCreateOrganization: false,
      requireEmailVerificationOnInvitation: true,
      organizationHooks: { afterAcceptInvitation: async ({ user }) => p.tenants().forget(user.id) },
    }),
    ...(p.external.oidc.length ? [genericOAuth({ config: p.external.oidc })] : []),
    ...(magicLinkEnabled(s.spec) ? [magicLinkSignIn({ spec: s.spec, appName: app, outbox })] : []),
    ...(passkeyEnabled(s.spec) ? passkeySignIn({ appName: app, publicUrl }) : []),
    // Before the audit trail, so it sees a challenged sign-in as one (no session yet).
    ...(mfaEnabled(s.spec) ? [secondFactorChallenge()] : []),
    endpointGuard({
      mfa: mfaEnabled(s.spec),
      mfaRequiredFor: async (userId) => mfaRequired(s.spec, { kind: 'user', id: userId, roles: [], memberships: await p.tenants().membershipsOf(userId) }),
    }),
    ...(s.audit ? [s.audit.trail] : []),
  ];
  const base = authSchemaOptions(s.driver.db, s.driver, plugins);
  const gate = signInGate(s.spec, p.external.providers);
  return betterAuth({
    ...base,
    appName: app,
    baseURL: publicUrl,
    basePath: AUTH_BASE_PATH,
    secret,
    plugins,
    // Kiln's own limiter (src/auth/abuse) guards every credential endpoint, shared through Redis;
    // better-auth's would add a second, per-process one with other answers in production.
    rateLimit: { enabled: false },
    socialProviders: p.external.socialProviders,
    user: { ...base.user, validateUserInfo: (data, ctx) => gate(data, ctx) },
    account: {
      ...base.account,
      // A provider account joins an existing user only when the provider vouches for the address
      // (email_verified) and the user's own address is verified too; no provider is trusted blindly.
      accountLinking: { enabled: true, trustedProviders: [], requireLocalEmailVerified: true, allowDifferentEmails: false },
    },
    emailAndPassword: {
      enabled: auth.methods === undefined || auth.methods.includes('password'),
      // "invite": sign-up stays open and the sign-in gate admits invited addresses only.
      disableSignUp: (auth.signUp ?? 'open') === 'closed',
      // No session before the address is proven: an unverified account could belong to anyone.
      requireEmailVerification: true,
      // identity.passwordLength below says the same to sign-in pages.
      minPasswordLength: auth.password?.minLength ?? 8,
      maxPasswordLength: auth.password?.maxLength ?? 128,
      password: { hash: hashPassword, verify: ({ hash, password }) => verifyPassword(hash, password) },
      sendResetPassword: async ({ user, url }) => void (await outbox.enqueue(resetPasswordMail(app, user.email, url))),
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
    },
    emailVerification: {
      sendOnSignUp: true,
      // The way back for someone whose first mail was lost: signing in with the right password sends a new one.
      sendOnSignIn: true,
      expiresIn: 24 * 3600,
      sendVerificationEmail: async ({ user, url }) => void (await outbox.enqueue(verifyEmailMail(app, user.email, url))),
    },
    databaseHooks: {
      session: {
        create: {
          // Marks the sessions a passkey made: they count as multi-factor (passkey-sign-in.ts).
          before: async (session, ctx) => (ctx?.path === PASSKEY_PATHS.signIn ? { data: { ...session, viaPasskey: true } } : undefined),
        },
      },
    },
    session: {
      ...base.session,
      expiresIn: seconds(auth.tokens?.session, 7 * 86400),
      cookieCache: { enabled: cache > 0, maxAge: Math.max(cache, 1), strategy: 'compact' },
    },
    advanced: {
      ...base.advanced,
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: publicUrl.startsWith('https://'),
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', path: '/' },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

export type Identity = {
  readonly outbox: MailOutbox;
  readonly mail: MailConfig;
  /** The spec's external providers that have credentials. */
  readonly providers: readonly ExternalProvider[];
  /** Whether email and password sign-in is offered. */
  readonly passwordSignIn: boolean;
  /** Whether magic links are offered (auth.methods "magicLink"). */
  readonly magicLinkSignIn: boolean;
  /** Who may create an account (auth.signUp). */
  readonly signUp: 'open' | 'invite' | 'closed';
  /** The password length policy (auth.password). */
  readonly passwordLength: { min: number; max: number };
  /** Whether passkey sign-in is offered. */
  readonly passkeySignIn: boolean;
  /** Tenants' organizations: members, roles and invitations. */
  readonly tenants: TenantOrganizations;
  readonly audit?: AuditLog;
  /** The better-auth instance, created on first use (the public URL may only be known after listen). */
  auth(): Auth;
  /** The actor of a request's session cookie, or undefined; `setCookie` receives a refreshed cookie cache. */
  sessionActor(url: string, headers: IncomingHttpHeaders, setCookie: (cookies: string[]) => void): Promise<Actor | undefined>;
};

export async function createIdentity(s: IdentitySetup): Promise<Identity> {
  await ensureIdentityTables(s.driver);
  const secret = await setupAuthSecret(s.driver, s.config.secret);
  const outbox = new MailOutbox(s.driver, s.queue, Boolean(s.mail.smtpUrl));
  const external = externalSignIn(s.spec, s.config.providerCredentials);
  for (const reason of external.disabled) console.warn(`kiln: warning: ${reason}`);
  const publicUrl = () => (typeof s.config.publicUrl === 'function' ? s.config.publicUrl() : s.config.publicUrl);
  let auth: Auth | undefined;
  const get = (): Auth => (auth ??= createAuth(s, { secret, outbox, publicUrl: publicUrl(), external, tenants: () => tenants }));
  const tenants: TenantOrganizations = new TenantOrganizations({
    driver: s.driver,
    spec: s.spec,
    adapter: async () => (await get().$context).adapter,
    outbox,
    publicUrl,
    appName: s.spec.title ?? s.spec.name,
    // Role changes made by another process are seen within this many seconds.
    cacheSeconds: Math.min(s.config.cookieCacheSeconds, 30),
  });
  return {
    outbox,
    mail: s.mail,
    providers: external.providers,
    passwordSignIn: s.spec.auth?.methods === undefined || s.spec.auth.methods.includes('password'),
    magicLinkSignIn: magicLinkEnabled(s.spec),
    signUp: s.spec.auth?.signUp ?? 'open',
    passwordLength: { min: s.spec.auth?.password?.minLength ?? 8, max: s.spec.auth?.password?.maxLength ?? 128 },
    passkeySignIn: passkeyEnabled(s.spec),
    tenants,
    audit: s.audit?.log,
    auth: get,
    async sessionActor(url, headers, setCookie) {
      // Cookies are ambient: only look when the session cookie is there, and never for the auth
      // endpoints themselves, which read (and replace) the cookies on their own.
      const cookie = headers.cookie;
      if (!cookie || !cookie.includes(`${COOKIE_PREFIX}.session_token=`) || url.startsWith(`${AUTH_BASE_PATH}/`)) return undefined;
      const h = new Headers();
      h.set('cookie', cookie);
      const { headers: out, response } = await get().api.getSession({ headers: h, returnHeaders: true });
      const cookies = out.getSetCookie();
      if (cookies.length) setCookie(cookies);
      if (!response) return undefined;
      const user = response.user as { id: string; twoFactorEnabled?: boolean | null };
      const actor: Actor = { kind: 'user', id: user.id, roles: [], memberships: await tenants.membershipsOf(user.id) };
      if (!user.twoFactorEnabled && !sessionViaPasskey(response.session) && mfaRequired(s.spec, actor)) throw mfaEnrolmentRequired(passkeyEnabled(s.spec));
      return actor;
    },
  };
}
