// GET /api/sign-in-options, public: how one may sign in to this app, for a sign-in page to draw its
// buttons from. Only what a visitor needs and nothing secret: whether email and password and magic
// links are offered, who may sign up, how long a password must be, and the external providers that
// have credentials and admit everyone. Providers restricted to tenants are left out here (they refuse everyone else); the
// tenant's own list, GET /api/tenants/:slug/providers, names them, and `tenantSso` says whether
// asking for it can find any.
import type { FastifyInstance } from 'fastify';
import type { Identity } from './identity.ts';

export const SIGN_IN_OPTIONS_PATH = '/api/sign-in-options';

export type SignInOptions = {
  password: boolean;
  magicLink: boolean;
  passkey: boolean;
  signUp: 'open' | 'invite' | 'closed';
  /** What a new password must be, so a form can say so before the server refuses it. */
  passwordLength: { min: number; max: number };
  /** The value of POST /api/auth/sign-in/social {provider} for each button. */
  providers: { id: string; type: string; label: string; provider: string }[];
  tenantSso: boolean;
};

export function signInOptions(identity: Identity): SignInOptions {
  return {
    password: identity.passwordSignIn,
    magicLink: identity.magicLinkSignIn,
    passkey: identity.passkeySignIn,
    signUp: identity.signUp,
    passwordLength: identity.passwordLength,
    providers: identity.providers.filter((p) => !p.tenants).map((p) => ({ id: p.id, type: p.type, label: p.label, provider: p.signInId })),
    tenantSso: identity.providers.some((p) => p.tenants),
  };
}

export function signInOptionsRoute(app: FastifyInstance, identity: Identity): void {
  app.get(SIGN_IN_OPTIONS_PATH, { schema: { hide: true } }, async () => ({ data: signInOptions(identity) }));
}
