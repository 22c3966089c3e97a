// Passkey sign-in (spec auth.methods "passkey"): better-auth's passkey plugin (@better-auth/passkey,
// WebAuthn checked by @simplewebauthn/server), its credentials in kiln_auth_passkey.
//
// - A signed-in person adds a passkey: GET /api/auth/passkey/generate-register-options, then
//   POST /api/auth/passkey/verify-registration {response, name?}. Registration needs a fresh session
//   (signed in within the last day), so a stolen old cookie cannot plant a passkey.
// - Anyone signs in with one: GET /api/auth/passkey/generate-authenticate-options, then
//   POST /api/auth/passkey/verify-authentication {response}, which makes the session cookie.
// - GET /api/auth/passkey/list-user-passkeys, POST …/update-passkey {id, name}, …/delete-passkey {id}.
//
// The relying party is KILN_PUBLIC_URL: its host name is the RP ID and its origin the only origin an
// assertion may come from (the plugin would otherwise believe the request's Origin header). Each
// challenge lives in a verification row named by a signed cookie and is spent by its first use, so
// an assertion cannot be replayed; the signature counter must grow (a cloned authenticator is
// refused).
//
// MFA: the passkey must verify its user (PIN or biometrics), asked for in both ceremonies and checked
// in both answers. A passkey sign-in then proves possession of the device and the person's
// verification on it, bound to this origin: it counts as multi-factor and as phishing-resistant, so
// it is not followed by a TOTP challenge, and its session carries `viaPasskey`, which satisfies the
// "required" MFA policy for a person who has no authenticator app (mfa-policy.ts).
import { passkey } from '@better-auth/passkey';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import type { Spec } from '../../spec/schema.ts';
import { AUTH_TABLES } from './auth-schema.ts';

export const PASSKEY_SCHEMA = { passkey: { modelName: AUTH_TABLES.passkey } } as const;

export const PASSKEY_PATHS = {
  registerOptions: '/passkey/generate-register-options',
  register: '/passkey/verify-registration',
  signInOptions: '/passkey/generate-authenticate-options',
  signIn: '/passkey/verify-authentication',
  list: '/passkey/list-user-passkeys',
  rename: '/passkey/update-passkey',
  delete: '/passkey/delete-passkey',
} as const;

export function passkeyEnabled(spec: Spec): boolean {
  return spec.auth?.methods?.includes('passkey') ?? false;
}

const USER_VERIFICATION_REQUIRED = {
  code: 'USER_VERIFICATION_REQUIRED',
  message: 'The passkey did not verify you (PIN or biometrics); use a passkey that can',
};

function requireUserVerification(verified: boolean | undefined): void {
  if (!verified) throw APIError.from('BAD_REQUEST', USER_VERIFICATION_REQUIRED);
}

/** The passkey plugin for the app at `publicUrl`, plus the hook that asks authenticators to verify their user. */
export function passkeySignIn(o: { appName: string; publicUrl: string }): BetterAuthPlugin[] {
  const url = new URL(o.publicUrl);
  return [
    passkey({
      rpID: url.hostname,
      rpName: o.appName,
      origin: url.origin,
      schema: PASSKEY_SCHEMA,
      // Discoverable credentials, so people sign in without typing their address first.
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      advanced: { webAuthnChallengeCookie: 'passkey_challenge' },
      registration: { afterVerification: ({ verification }) => requireUserVerification(verification.registrationInfo?.userVerified) },
      authentication: { afterVerification: ({ verification }) => requireUserVerification(verification.authenticationInfo.userVerified) },
    }),
    {
      id: 'kiln-passkey-user-verification',
      hooks: {
        after: [
          {
            // The plugin asks for user verification as "preferred" at sign-in; Kiln refuses an
            // assertion without it, so the browser is told up front (it then asks for the PIN).
            matcher: (ctx) => ctx.path === PASSKEY_PATHS.signInOptions,
            handler: createAuthMiddleware(async (ctx) => {
              const returned = ctx.context.returned;
              if (!returned || typeof returned !== 'object' || !('challenge' in returned)) return;
              return ctx.json({ ...returned, userVerification: 'required' });
            }),
          },
        ],
      },
    },
  ];
}

/** Whether a session was made by a passkey sign-in (set on the session row when it is created). */
export function sessionViaPasskey(session: unknown): boolean {
  return Boolean(session && typeof session === 'object' && (session as { viaPasskey?: unknown }).viaPasskey);
}
