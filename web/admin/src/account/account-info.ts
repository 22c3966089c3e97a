// What the account page knows about the signed-in person, from better-auth's own endpoints: the
// user (GET /api/auth/get-session, past the cookie cache so a change just made shows), the ways
// they sign in (GET /api/auth/list-accounts: "credential" is a password) and what the app allows
// (GET /api/sign-in-options).
import { api, ApiError } from '../api.ts';

export type AccountUser = { id: string; name: string; email: string; emailVerified: boolean; twoFactorEnabled?: boolean | null };
export type AccountInfo = {
  user: AccountUser;
  hasPassword: boolean;
  /** Provider ids besides the password, like "github" or an SSO id. */
  providers: string[];
  passwordSignIn: boolean;
  passwordLength: { min: number; max: number };
};

/** The props every section of the account page gets: what is known, and how to load it again after a change. */
export type AccountSectionProps = { account: AccountInfo; refresh: () => void };

export async function loadAccount(signal?: AbortSignal): Promise<AccountInfo> {
  const [session, accounts, options] = await Promise.all([
    api<{ user: AccountUser } | null>('/api/auth/get-session?disableCookieCache=true', { signal }),
    api<{ providerId: string }[]>('/api/auth/list-accounts', { signal }),
    api<{ data: { password: boolean; passwordLength: { min: number; max: number } } }>('/api/sign-in-options', { signal }),
  ]);
  if (!session) throw new ApiError(401, { detail: 'You are signed out. Sign in again.' });
  return {
    user: session.user,
    hasPassword: accounts.some((a) => a.providerId === 'credential'),
    providers: accounts.map((a) => a.providerId).filter((p) => p !== 'credential'),
    passwordSignIn: options.data.password,
    passwordLength: options.data.passwordLength,
  };
}

/** better-auth's error codes the account page can name in words; anything else is the server's message. */
export function authCode(err: unknown): string | undefined {
  return err instanceof ApiError ? err.problem.code : undefined;
}

