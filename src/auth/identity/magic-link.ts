// Magic link sign-in (spec auth.methods "magicLink"): better-auth's magic-link plugin, with the link
// mailed through Kiln's outbox, stored hashed, working once and for ten minutes.
//
// What an address gets by mail follows auth.signUp, and the answer to the request is always the same
// ({status: true}), so the request never tells whether an account exists:
// - an address with an account: a sign-in link;
// - an unknown address with signUp "open": a link that creates the account on first use (following
//   it proves the address, so the account starts verified);
// - an unknown address with signUp "invite": a link only while the address holds a pending
//   invitation; otherwise no mail;
// - an unknown address with signUp "closed": no mail.
// Following a link passes the same sign-in gate as every other way of creating a user
// (sign-in-gate.ts), so a link mailed before the rules changed cannot get around them.
//
// MFA: better-auth's two-factor plugin asks for the second factor after password sign-in only. For
// a person who enrolled an authenticator, mfaAfterMagicLink drops the session the link made and
// starts the same two-factor challenge password sign-in starts: the person finishes with
// POST /api/auth/two-factor/verify-totp (or verify-backup-code). A trusted-device cookie does not
// skip it here. The "required" policy for people who have not enrolled is applied to every session
// by sessionActor, whichever way it was made.
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware } from 'better-auth/api';
import { deleteSessionCookie } from 'better-auth/cookies';
import { generateRandomString } from 'better-auth/crypto';
import { magicLink } from 'better-auth/plugins/magic-link';
import type { Spec } from '../../spec/schema.ts';
import type { MailOutbox } from '../mail/outbox.ts';
import { magicLinkMail } from '../mail/templates.ts';

export const MAGIC_LINK_SECONDS = 10 * 60;
export const MAGIC_LINK_VERIFY_PATH = '/magic-link/verify';

// better-auth's two-factor plugin keeps these names to itself (two-factor/constant.mjs); its
// verify endpoints read the signed cookie and the two verification rows written below.
const TWO_FACTOR_COOKIE = 'two_factor';
const TWO_FACTOR_CHALLENGE_SECONDS = 600;

export function magicLinkEnabled(spec: Spec): boolean {
  return spec.auth?.methods?.includes('magicLink') ?? false;
}

type Row = { expiresAt?: Date | string | number };

export function magicLinkSignIn(o: { spec: Spec; appName: string; outbox: MailOutbox; mfa: boolean }): BetterAuthPlugin[] {
  const signUp = o.spec.auth?.signUp ?? 'open';
  const plugin = magicLink({
    expiresIn: MAGIC_LINK_SECONDS,
    // A database reader never holds a working link.
    storeToken: 'hashed',
    disableSignUp: signUp === 'closed',
    sendMagicLink: async ({ email, url }, ctx) => {
      const address = email.toLowerCase();
      if (signUp !== 'open') {
        if (!ctx) return;
        const known = await ctx.context.internalAdapter.findUserByEmail(address);
        if (!known) {
          if (signUp === 'closed') return;
          const invitations = await ctx.context.adapter.findMany<Row>({ model: 'invitation', where: [{ field: 'email', value: address }, { field: 'status', value: 'pending' }] });
          if (!invitations.some((r) => r.expiresAt !== undefined && new Date(r.expiresAt).getTime() > Date.now())) return;
        }
      }
      await o.outbox.enqueue(magicLinkMail(o.appName, address, url, MAGIC_LINK_SECONDS / 60));
    },
  });
  return o.mfa ? [plugin, mfaAfterMagicLink()] : [plugin];
}

/** Turns a magic-link session of a person with an authenticator into a two-factor challenge. */
function mfaAfterMagicLink(): BetterAuthPlugin {
  return {
    id: 'kiln-magic-link-mfa',
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === MAGIC_LINK_VERIFY_PATH,
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
            const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE, { maxAge: TWO_FACTOR_CHALLENGE_SECONDS });
            await ctx.setSignedCookie(cookie.name, identifier, ctx.context.secret, cookie.attributes);
            const callback = typeof ctx.query?.callbackURL === 'string' ? ctx.query.callbackURL : undefined;
            if (callback) {
              // The page the link was meant to open learns that a code is still needed.
              const to = new URL(callback, ctx.context.baseURL);
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
