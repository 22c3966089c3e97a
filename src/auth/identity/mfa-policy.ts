// The spec's MFA policy (auth.mfa). "required" applies to everyone, or to the people holding one of
// the listed roles in any tenant. Such a person who has not enrolled an authenticator yet is not
// refused a session (they need one to enrol) but every request beyond /api/auth/* is answered with a
// 403 problem naming "mfa" and the two calls that enrol. The second factor is asked of a person who
// enrolled at every sign-in: password (better-auth's two-factor plugin), magic link, social and SSO
// (second-factor-challenge.ts). A passkey sign-in is multi-factor by itself (a device the person holds
// plus the PIN or biometrics it verified, bound to this origin, so phishing-resistant): it is not
// challenged, and its session meets the "required" policy without an authenticator app
// (passkey-sign-in.ts). Having a passkey does not: a password session of that person is still asked
// to enrol (or to sign in with the passkey instead).
import type { Actor } from '../../data/access.ts';
import { DataError } from '../../data/errors.ts';
import type { Spec } from '../../spec/schema.ts';

export function mfaRequired(spec: Spec, actor: Actor): boolean {
  const mfa = spec.auth?.mfa;
  if (mfa?.policy !== 'required' || actor.kind !== 'user') return false;
  if (!mfa.roles) return true;
  const held = new Set([...actor.roles, ...Object.values(actor.memberships ?? {}).flat()]);
  return mfa.roles.some((r) => held.has(r));
}

export function mfaEnabled(spec: Spec): boolean {
  return (spec.auth?.mfa?.policy ?? 'optional') !== 'off';
}

export function mfaEnrolmentRequired(passkeys = false): DataError {
  const enrol = 'enrol with POST /api/auth/two-factor/enable {password}, then confirm a code from the app with POST /api/auth/two-factor/verify-totp {code}';
  return new DataError('forbidden', `Multi-factor authentication is required for your account: enrol an authenticator app${passkeys ? ' or sign in with a passkey' : ''} first`, [
    { field: 'mfa', detail: passkeys ? `${enrol}; or add a passkey (POST /api/auth/passkey/verify-registration) and sign in with it` : enrol },
  ]);
}
