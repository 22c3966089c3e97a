// Sign-ins that leave the page (a provider's sign-in page, a mailed link) come back to this app's
// sign-in page, which sends a signed-in visitor on to `?next=` (App.tsx), asks for the second factor
// when better-auth adds `twoFactorRedirect=true` (src/auth/identity/second-factor-challenge.ts), and
// explains an `?error=` that better-auth added. The mailed confirmation link comes back with
// `?verified=1`, so the page can tell a confirmed address from a failed sign-in.
import { BASE } from '../router.tsx';

/** `?next=` of the current address, when it is a path of this app. */
export function nextParam(): string | null {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

/** The sign-in page's address (keeping `next`), for better-auth's callbackURL and errorCallbackURL. */
export function signInReturnURL(extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  const next = nextParam();
  if (next) q.set('next', next);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return `${BASE}/sign-in${s ? `?${s}` : ''}`;
}

/** Where the mailed confirmation link lands. */
export const VERIFIED_RETURN_URL = `${BASE}/sign-in?verified=1`;

export type Landing = {
  /** A provider or mailed link proved who this is; the second factor is still owed. */
  twoFactor: boolean;
  /** The confirmation link worked (or the address was confirmed already). */
  verified: boolean;
  /** The confirmation link did not work. */
  verifyFailed: boolean;
  /** Why a provider sign-in or a mailed link did not sign the person in. */
  error?: string;
};

/** Reads what better-auth put on the address (pure: React may call it twice). */
export function readLanding(): Landing {
  const q = new URLSearchParams(location.search);
  const error = q.get('error');
  const verifiedParam = q.get('verified') === '1';
  return {
    twoFactor: q.get('twoFactorRedirect') === 'true',
    verified: verifiedParam && !error,
    verifyFailed: verifiedParam && Boolean(error),
    ...(error && !verifiedParam && { error: signInErrorMessage(error, q.get('error_description')) }),
  };
}

/** Takes what readLanding read off the address (keeping `next`), so a reload does not repeat it. */
export function clearLanding(): void {
  const q = new URLSearchParams(location.search);
  if (q.has('error') || q.has('verified') || q.has('twoFactorRedirect')) history.replaceState(null, '', signInReturnURL());
}

/** better-auth's error codes from provider callbacks and mailed links, in words. */
export function signInErrorMessage(code: string, description: string | null): string {
  switch (code) {
    case 'INVALID_TOKEN':
    case 'TOKEN_EXPIRED':
      return 'That sign-in link has expired or was used already. Ask for a new one.';
    case 'account_not_linked':
    case 'unable_to_link_account':
      return 'That account could not be joined to your existing one: the provider did not confirm the email address. Sign in with your password instead.';
    case 'email_not_verified':
      return 'The provider has not confirmed your email address. Confirm it there, then try again.';
    case 'email_not_found':
      return 'The provider did not share an email address, which Kiln needs to sign you in.';
    case 'access_denied':
      return 'Sign-in was cancelled at the provider.';
    case 'new_user_signup_disabled':
    case 'signup_disabled':
      return 'This app does not create new accounts.';
    default:
      return description ? `Sign-in did not finish: ${description}.` : `Sign-in did not finish (${code.replaceAll('_', ' ')}). Try again.`;
  }
}
