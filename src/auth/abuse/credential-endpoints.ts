// Which requests are credential attempts, grouped so that each group has its own per-IP budget, and
// which body field names the account the attempt is about. Everything else passes untouched (and
// costs nothing: one string comparison).
import { AUTH_BASE_PATH } from '../identity/identity.ts';
import { PASSKEY_PATHS } from '../identity/passkey-sign-in.ts';

export type CredentialEndpoint = {
  /** The budget this request draws on (a metric label too). */
  group: 'sign-in' | 'sign-up' | 'password-reset' | 'verification-mail' | 'two-factor' | 'passkey' | 'oidc-token' | 'device' | 'oidc-login';
  /** A body field naming the account (an email address), when the request is about one. */
  account?: 'email';
  /** How many times the per-IP budget this group gets: token refreshes come from servers acting for many users. */
  weight: number;
  /** Whether a 401/403 answer is a failed guess at this account's password (what the slow-down counts). */
  passwordCheck: boolean;
};

const AUTH: Record<string, CredentialEndpoint> = {
  '/sign-in/email': { group: 'sign-in', account: 'email', weight: 1, passwordCheck: true },
  '/sign-in/social': { group: 'sign-in', weight: 1, passwordCheck: false },
  '/sign-up/email': { group: 'sign-up', account: 'email', weight: 1, passwordCheck: false },
  '/request-password-reset': { group: 'password-reset', account: 'email', weight: 1, passwordCheck: false },
  '/reset-password': { group: 'password-reset', weight: 1, passwordCheck: false },
  '/send-verification-email': { group: 'verification-mail', account: 'email', weight: 1, passwordCheck: false },
  '/two-factor/verify-totp': { group: 'two-factor', weight: 1, passwordCheck: false },
  '/two-factor/verify-backup-code': { group: 'two-factor', weight: 1, passwordCheck: false },
  '/two-factor/verify-otp': { group: 'two-factor', weight: 1, passwordCheck: false },
};

// Both halves of each passkey ceremony: asking for a challenge is a GET, but it writes a row and
// sets a cookie, so an anonymous caller could otherwise make them without bound. One ceremony is two
// requests, hence the double budget.
const PASSKEY: CredentialEndpoint = { group: 'passkey', weight: 2, passwordCheck: false };
const PASSKEY_CEREMONIES = new Set<string>([PASSKEY_PATHS.signInOptions, PASSKEY_PATHS.signIn, PASSKEY_PATHS.registerOptions, PASSKEY_PATHS.register]);

const OIDC_TOKEN: CredentialEndpoint = { group: 'oidc-token', weight: 10, passwordCheck: false };
const DEVICE: CredentialEndpoint = { group: 'device', weight: 1, passwordCheck: false };
const OIDC_LOGIN: CredentialEndpoint = { group: 'oidc-login', account: 'email', weight: 1, passwordCheck: true };

/** The credential endpoint a request is, or undefined. Only POSTs carry credentials (and the GETs that start a passkey ceremony). */
export function credentialEndpoint(method: string, url: string): CredentialEndpoint | undefined {
  if (method !== 'POST' && method !== 'GET') return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.startsWith(`${AUTH_BASE_PATH}/`)) {
    const own = path.slice(AUTH_BASE_PATH.length);
    if (PASSKEY_CEREMONIES.has(own)) return PASSKEY;
    return method === 'POST' ? AUTH[own] : undefined;
  }
  if (method !== 'POST') return undefined;
  if (!path.startsWith('/oidc/')) return undefined;
  if (path === '/oidc/token') return OIDC_TOKEN;
  if (path === '/oidc/device/auth' || path === '/oidc/device') return DEVICE;
  // The server-rendered sign-in form, and the admin UI's confirmation (which may carry a password).
  if (/^\/oidc\/interaction\/[^/]+\/(?:login|confirm)$/.test(path)) return OIDC_LOGIN;
  return undefined;
}
