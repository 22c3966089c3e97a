// The second factor for every way in, not only the password. better-auth's two-factor plugin asks
// for it after /sign-in/email (and username, phone number) only; a person who enrolled an
// authenticator and signs in through a magic link, a social provider or SSO would get a full
// session without it. This plugin closes that: after those endpoints it drops the session they made
// and starts the same challenge password sign-in starts (a verification row holding the user id, an
// attempts counter, and the signed two_factor cookie naming them), so the person finishes with
// POST /api/auth/two-factor/verify-totp (or verify-backup-code), which makes the real session.
// A trusted-device cookie does not skip it here.
//
// Why an `after` hook works for the provider callbacks, which always end by throwing a redirect:
// better-auth's dispatcher (api/dispatch.mjs) catches an APIError thrown by the endpoint, keeps it
// as `context.returned` (its Set-Cookie headers gathered in `context.responseHeaders`) and still
// runs the after hooks; what a hook throws or returns replaces the answer. setSessionCookie records
// the session in `context.newSession` before the redirect is thrown, and deleteSessionCookie
// (cookies/index.mjs expireCookie) strips the pending session cookies from `context.responseHeaders`
// before writing expired ones, so the answer never carries the session token. Generic OAuth (SSO)
// providers are registered as social providers (plugins/generic-oauth) and come back through the
// same /callback/:id, not a path of their own.
//
// The "required" policy for people who have not enrolled is applied to every session by
// sessionActor (identity.ts), whichever way it was made.
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware, isAPIError } from 'better-auth/api';
import { deleteSessionCookie } from 'better-auth/cookies';
import { generateRandomString } from 'better-auth/crypto';
import { MAGIC_LINK_VERIFY_PATH } from './magic-link.ts';

/**
 * The endpoints that make a session from something other than a password: the magic link, the
 * social/SSO callback, and /sign-in/social, whose idToken variant signs in directly with a
 * provider's ID token (its redirect variant makes no session, so the hook does nothing there).
 */
export const CHALLENGED_SIGN_IN_PATHS: ReadonlySet<string> = new Set([MAGIC_LINK_VERIFY_PATH, '/callback/:id', '/sign-in/social']);

// better-auth's two-factor plugin keeps these to itself (two-factor/constant.mjs, twoFactorCookieMaxAge);
// its verify endpoints read the signed cookie and the two verification rows written below.
const TWO_FACTOR_COOKIE = 'two_factor';
const TWO_FACTOR_CHALLENGE_SECONDS = 600;

/**
 * The verification row that remembers how a challenged person came in, so the audit trail and the
 * sign-in metrics credit the session made at verify-totp to that provider and method, not to a password.
 */
export const challengeOriginKey = (identifier: string): string => `2fa-via-${identifier}`;
export type ChallengeOrigin = { provider: string; method: 'oauth' | 'id_token' | 'magic_link' };

function originOf(path: string | undefined, params: unknown, body: unknown): ChallengeOrigin {
  if (path === MAGIC_LINK_VERIFY_PATH) return { provider: 'kiln', method: 'magic_link' };
  if (path === '/callback/:id') return { provider: String((params as { id?: unknown } | undefined)?.id ?? 'unknown'), method: 'oauth' };
  return { provider: String((body as { provider?: unknown } | undefined)?.provider ?? 'unknown'), method: 'id_token' };
}

/** Turns a session made at one of CHALLENGED_SIGN_IN_PATHS for a person with an authenticator into a two-factor challenge. */
export function secondFactorChallenge(): BetterAuthPlugin {
  return {
    id: 'kiln-second-factor-challenge',
    hooks: {
      after: [
        {
          matcher: (ctx) => CHALLENGED_SIGN_IN_PATHS.has(ctx.path ?? ''),
          handler: createAuthMiddleware(async (ctx) => {
            const made = ctx.context.newSession;
            if (!made?.user || !(made.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled) return;
            deleteSessionCookie(ctx, true);
            await ctx.context.internalAdapter.deleteSession(made.session.token);
            ctx.context.setNewSession(null);
            const identifier = `2fa-${generateRandomString(20)}`;
            const expiresAt = new Date(Date.now() + TWO_FACTOR_CHALLENGE_SECONDS * 1000);
            await ctx.context.internalAdapter.createVerificationValue({ value: made.user.id, identifier, expiresAt });
            await ctx.context.internalAdapter.createVerificationValue({ value: '0', identifier: `2fa-attempts-${identifier}`, expiresAt });
            const origin = originOf(ctx.path, ctx.params, ctx.body);
            await ctx.context.internalAdapter.createVerificationValue({ value: JSON.stringify(origin), identifier: challengeOriginKey(identifier), expiresAt });
            const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE, { maxAge: TWO_FACTOR_CHALLENGE_SECONDS });
            await ctx.setSignedCookie(cookie.name, identifier, ctx.context.secret, cookie.attributes);
            const location = redirectedTo(ctx.context.returned);
            if (location) {
              // The page the sign-in was meant to open (the callbackURL) learns that a code is still needed.
              const to = new URL(location, ctx.context.baseURL);
              to.searchParams.set('twoFactorRedirect', 'true');
              throw ctx.redirect(to.toString());
            }
            return ctx.json({ twoFactorRedirect: true, twoFactorMethods: ['totp'] });
          }),
        },
      ],
    },
  };
}

/** Where the endpoint's answer sends the browser, when it is a redirect. */
function redirectedTo(returned: unknown): string | undefined {
  if (!isAPIError(returned)) return undefined;
  const headers = (returned as { headers?: unknown }).headers;
  return headers instanceof Headers ? (headers.get('location') ?? undefined) : undefined;
}
