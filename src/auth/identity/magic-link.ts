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
// MFA: a person who enrolled an authenticator still gives the second factor after following a link
// (second-factor-challenge.ts, which identity.ts registers whenever MFA is not "off").
import type { BetterAuthPlugin } from 'better-auth';
import { magicLink } from 'better-auth/plugins/magic-link';
import type { Spec } from '../../spec/schema.ts';
import type { MailOutbox } from '../mail/outbox.ts';
import { magicLinkMail } from '../mail/templates.ts';

export const MAGIC_LINK_SECONDS = 10 * 60;
export const MAGIC_LINK_VERIFY_PATH = '/magic-link/verify';

export function magicLinkEnabled(spec: Spec): boolean {
  return spec.auth?.methods?.includes('magicLink') ?? false;
}

type Row = { expiresAt?: Date | string | number };

export function magicLinkSignIn(o: { spec: Spec; appName: string; outbox: MailOutbox }): BetterAuthPlugin {
  const signUp = o.spec.auth?.signUp ?? 'open';
  return magicLink({
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
}
