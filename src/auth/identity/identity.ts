// The identity layer of one running app: a better-auth instance on the app's own database (Kysely),
// with argon2id passwords, required email verification, password reset and session revocation, and
// mail through the outbox. Its HTTP endpoints live under /api/auth (identity-routes.ts); the content
// API asks it for the actor behind a session cookie (sessionActor).
import { betterAuth } from 'better-auth';
import type { IncomingHttpHeaders } from 'node:http';
import type { Actor } from '../../data/access.ts';
import type { StorageDriver } from '../../data/driver.ts';
import type { JobQueue } from '../../data/queue/job-queue.ts';
import type { Spec } from '../../spec/schema.ts';
import type { MailConfig } from '../mail/mail-config.ts';
import { MailOutbox } from '../mail/outbox.ts';
import { resetPasswordMail, verifyEmailMail } from '../mail/templates.ts';
import { hashPassword, verifyPassword } from './argon2id.ts';
import { authSchemaOptions } from './auth-schema.ts';
import { setupAuthSecret } from './auth-secret.ts';
import { ensureIdentityTables } from './auth-tables.ts';
import type { IdentityConfig } from './identity-config.ts';

export const AUTH_BASE_PATH = '/api/auth';
const COOKIE_PREFIX = 'kiln';

export type IdentitySetup = {
  driver: StorageDriver;
  spec: Spec;
  queue: JobQueue;
  config: IdentityConfig;
  mail: MailConfig;
};

const seconds = (d: string | undefined, fallback: number) => {
  if (!d) return fallback;
  const n = Number(d.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600, d: 86400 }[d.slice(-1) as 's' | 'm' | 'h' | 'd'];
};

function createAuth(s: IdentitySetup, secret: string, outbox: MailOutbox, publicUrl: string) {
  const auth = s.spec.auth ?? {};
  const app = s.spec.title ?? s.spec.name;
  const cache = s.config.cookieCacheSeconds;
  const base = authSchemaOptions(s.driver.db, s.driver);
  return betterAuth({
    ...base,
    appName: app,
    baseURL: publicUrl,
    basePath: AUTH_BASE_PATH,
    secret,
    emailAndPassword: {
      enabled: auth.methods === undefined || auth.methods.includes('password'),
      // "invite" sign-up goes through organization invitations, which create the account themselves.
      disableSignUp: (auth.signUp ?? 'open') !== 'open',
      // No session before the address is proven: an unverified account could belong to anyone.
      requireEmailVerification: true,
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
  /** The better-auth instance, created on first use (the public URL may only be known after listen). */
  auth(): Auth;
  /** The actor of a request's session cookie, or undefined; `setCookie` receives a refreshed cookie cache. */
  sessionActor(url: string, headers: IncomingHttpHeaders, setCookie: (cookies: string[]) => void): Promise<Actor | undefined>;
};

export async function createIdentity(s: IdentitySetup): Promise<Identity> {
  await ensureIdentityTables(s.driver);
  const secret = await setupAuthSecret(s.driver, s.config.secret);
  const outbox = new MailOutbox(s.driver, s.queue, Boolean(s.mail.smtpUrl));
  let auth: Auth | undefined;
  const get = () => (auth ??= createAuth(s, secret, outbox, typeof s.config.publicUrl === 'function' ? s.config.publicUrl() : s.config.publicUrl));
  return {
    outbox,
    mail: s.mail,
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
      return { kind: 'user', id: response.user.id, roles: [] };
    },
  };
}
