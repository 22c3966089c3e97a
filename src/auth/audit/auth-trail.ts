// A better-auth plugin that turns what its endpoints did into audit records and sign-in metrics.
// It reads outcomes after each endpoint ran (after hooks run for errors too: ctx.context.returned
// then holds the APIError), so it records what happened, not what was asked:
//   sign_in.success / sign_in.failure (method and provider), sign_in.mfa_required, sign_out,
//   sessions.revoked, mfa.enrolled / mfa.verified / mfa.failed / mfa.disabled, password.changed,
//   password.reset_requested, password.reset, email.change_requested, email.verified,
//   email.changed, invitation.accepted, passkey.added / passkey.add_failed / passkey.removed
//   (a passkey sign-in is sign_in.* with method "passkey").
// The client's address comes from CLIENT_IP_HEADER, which the credential guard sets from the
// connection on every /api/auth request (a caller's own value is overwritten).
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware, getSessionFromCtx, isAPIError } from 'better-auth/api';
import { CLIENT_IP_HEADER } from '../abuse/credential-guard.ts';
import { PASSKEY_PATHS } from '../identity/passkey-sign-in.ts';
import type { AuthMetrics } from '../metrics/auth-metrics.ts';
import type { AuditEvent, AuditLog } from './audit-log.ts';
import { challengeOriginKey, type ChallengeOrigin } from '../identity/second-factor-challenge.ts';

type Ctx = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

const LOCAL = 'kiln';
const MFA_METHODS: Record<string, string> = { '/two-factor/verify-totp': 'totp', '/two-factor/verify-backup-code': 'backup_code', '/two-factor/verify-otp': 'otp' };
const WATCHED = new Set([
  '/sign-in/email', '/callback/:id', '/sign-in/social', '/sign-out', '/revoke-sessions', ...Object.keys(MFA_METHODS), '/two-factor/disable',
  '/change-password', '/request-password-reset', '/reset-password', '/change-email', '/verify-email', '/organization/accept-invitation',
  PASSKEY_PATHS.signIn, PASSKEY_PATHS.register, PASSKEY_PATHS.delete,
]);
// Paths whose user must be learned before the endpoint runs (it ends the session or spends the token).
const BEFORE = new Set(['/sign-out', '/revoke-sessions', '/reset-password', '/sign-in/email', '/callback/:id', '/sign-in/social', PASSKEY_PATHS.signIn, ...Object.keys(MFA_METHODS)]);

type Started = { at: number; user?: string; origin?: ChallengeOrigin };

const sessionCookie = (ctx: Ctx) => /(?:^|;\s*)(?:__Secure-)?kiln\.session_token=/.test(ctx.headers?.get('cookie') ?? '');

function errorCode(returned: unknown): string | undefined {
  if (!isAPIError(returned)) return undefined;
  const body = (returned as { body?: { code?: unknown } }).body;
  return typeof body?.code === 'string' ? body.code : String(returned.status);
}

/** Whether the endpoint answered with an error (a redirect carrying ?error= counts: that is how callbacks fail). */
function failed(ctx: Ctx): boolean {
  const r = ctx.context.returned;
  if (!isAPIError(r)) return false;
  if (r.statusCode >= 400) return true;
  const location = (r.headers as Headers | undefined)?.get?.('location') ?? '';
  return /[?&]error=/.test(location);
}

function tokenPayload(token: unknown): { email?: string; updateTo?: string } {
  if (typeof token !== 'string') return {};
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { email?: string; updateTo?: string };
  } catch {
    return {};
  }
}

export function authTrail(o: { audit: AuditLog; metrics?: AuthMetrics }): BetterAuthPlugin {
  const started = new WeakMap<object, Started>();
  const keyOf = (ctx: Ctx): object => ctx.request ?? ctx.headers ?? ctx;

  const userByEmail = async (ctx: Ctx, email: unknown): Promise<string | undefined> =>
    typeof email === 'string' ? (await ctx.context.internalAdapter.findUserByEmail(email.toLowerCase()))?.user.id : undefined;
  // Whose passkey an assertion names (its credential id), when the passkey exists.
  const passkeyOwner = async (ctx: Ctx, response: unknown): Promise<string | undefined> => {
    const id = response && typeof response === 'object' ? (response as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' || !id) return undefined;
    return (await ctx.context.adapter.findOne<{ userId: string }>({ model: 'passkey', where: [{ field: 'credentialID', value: id }] }))?.userId;
  };
  /** Who a pending two-factor challenge is for, and how they came in when it was not a password. */
  const twoFactorChallenge = async (ctx: Ctx): Promise<Pick<Started, 'user' | 'origin'>> => {
    const cookie = ctx.context.createAuthCookie('two_factor');
    const value = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
    if (!value) return {};
    const user = (await ctx.context.internalAdapter.findVerificationValue(value))?.value ?? undefined;
    const origin = (await ctx.context.internalAdapter.findVerificationValue(challengeOriginKey(value)))?.value;
    return { user, ...(origin && { origin: JSON.parse(origin) as ChallengeOrigin }) };
  };

  const record = (ctx: Ctx, e: AuditEvent) => {
    const h = ctx.request?.headers ?? ctx.headers;
    o.audit.record({ ip: h?.get(CLIENT_IP_HEADER) ?? null, userAgent: h?.get('user-agent') ?? null, actor: e.user ?? null, ...e });
  };
  const signIn = (ctx: Ctx, s: Started | undefined, provider: string, method: string, ok: boolean, user: string | undefined, details: Record<string, unknown> = {}) => {
    record(ctx, { kind: ok ? 'sign_in.success' : 'sign_in.failure', user, details: { provider, method, ...details } });
    o.metrics?.signIn({ provider, method }, ok ? 'success' : 'failure', s ? (performance.now() - s.at) / 1000 : 0);
  };

  const after = async (ctx: Ctx) => {
    const path = ctx.path;
    const s = started.get(keyOf(ctx));
    const newUser = ctx.context.newSession?.user.id as string | undefined;
    const sessionUser = ctx.context.session?.user.id as string | undefined;
    const bad = failed(ctx);
    const reason = errorCode(ctx.context.returned);
    const body = (ctx.body ?? {}) as Record<string, unknown>;

    if (path === '/sign-in/email') {
      if (newUser) return signIn(ctx, s, LOCAL, 'password', true, newUser);
      const returned = ctx.context.returned as { twoFactorRedirect?: boolean } | undefined;
      if (!bad && returned?.twoFactorRedirect) return record(ctx, { kind: 'sign_in.mfa_required', user: await userByEmail(ctx, body.email), details: { provider: LOCAL, method: 'password' } });
      if (bad) return signIn(ctx, s, LOCAL, 'password', false, await userByEmail(ctx, body.email), { reason, email: typeof body.email === 'string' ? body.email.slice(0, 320) : undefined });
      return;
    }
    if (path === '/callback/:id') {
      const provider = String((ctx.params as Record<string, unknown> | undefined)?.id ?? 'unknown');
      if (newUser) return signIn(ctx, s, provider, 'oauth', true, newUser);
      const location = isAPIError(ctx.context.returned) ? ((ctx.context.returned.headers as Headers | undefined)?.get?.('location') ?? '') : '';
      const error = /[?&]error=([^&#]*)/.exec(location)?.[1];
      if (bad) return signIn(ctx, s, provider, 'oauth', false, undefined, { reason: error ? decodeURIComponent(error) : reason });
      if (/[?&]twoFactorRedirect=true/.test(location)) return record(ctx, { kind: 'sign_in.mfa_required', details: { provider, method: 'oauth' } });
      return;
    }
    // Only the idToken variant signs in here; the other one answers with the provider's URL.
    if (path === '/sign-in/social' && body.idToken) {
      const provider = String(body.provider ?? 'unknown');
      if (newUser) return signIn(ctx, s, provider, 'id_token', true, newUser);
      if (bad) return signIn(ctx, s, provider, 'id_token', false, undefined, { reason });
      if ((ctx.context.returned as { twoFactorRedirect?: boolean } | undefined)?.twoFactorRedirect) return record(ctx, { kind: 'sign_in.mfa_required', details: { provider, method: 'id_token' } });
      return;
    }
    if (path === PASSKEY_PATHS.signIn) {
      if (newUser) return signIn(ctx, s, LOCAL, 'passkey', true, newUser);
      if (bad) return signIn(ctx, s, LOCAL, 'passkey', false, await passkeyOwner(ctx, body.response), { reason });
      return;
    }
    if (path === PASSKEY_PATHS.register) {
      if (bad) return record(ctx, { kind: 'passkey.add_failed', user: sessionUser, details: { reason } });
      const added = ctx.context.returned as { id?: string; name?: string | null; deviceType?: string; backedUp?: boolean } | undefined;
      return record(ctx, { kind: 'passkey.added', user: sessionUser, details: { passkey: added?.id, name: added?.name ?? null, deviceType: added?.deviceType, backedUp: added?.backedUp } });
    }
    const mfa = MFA_METHODS[path];
    if (mfa) {
      const enrolling = sessionCookie(ctx);
      const user = newUser ?? sessionUser ?? s?.user;
      if (bad) {
        record(ctx, { kind: 'mfa.failed', user, details: { method: mfa, reason, ...(s?.origin && { via: s.origin }) } });
        if (!enrolling) o.metrics?.signIn({ provider: s?.origin?.provider ?? LOCAL, method: mfa }, 'failure', s ? (performance.now() - s.at) / 1000 : 0);
        return;
      }
      if (enrolling) return record(ctx, { kind: newUser ? 'mfa.enrolled' : 'mfa.verified', user, details: { method: mfa } });
      record(ctx, { kind: 'mfa.verified', user, details: { method: mfa, ...(s?.origin && { via: s.origin }) } });
      // The provider that vouched for the first factor; the method is the factor that completed it.
      return signIn(ctx, s, s?.origin?.provider ?? LOCAL, mfa, true, user, s?.origin ? { via: s.origin.method } : {});
    }
    if (bad) {
      if (path === '/change-password') record(ctx, { kind: 'password.change_failed', user: sessionUser, details: { reason } });
      return;
    }
    switch (path) {
      case '/sign-out':
        if (s?.user) record(ctx, { kind: 'sign_out', user: s.user });
        return;
      case '/revoke-sessions':
        return record(ctx, { kind: 'sessions.revoked', user: sessionUser ?? s?.user });
      case PASSKEY_PATHS.delete:
        return record(ctx, { kind: 'passkey.removed', user: sessionUser, details: { passkey: body.id } });
      case '/two-factor/disable':
        return record(ctx, { kind: 'mfa.disabled', user: sessionUser });
      case '/change-password':
        return record(ctx, { kind: 'password.changed', user: sessionUser, details: { otherSessionsRevoked: body.revokeOtherSessions === true } });
      case '/request-password-reset':
        return record(ctx, { kind: 'password.reset_requested', user: await userByEmail(ctx, body.email) });
      case '/reset-password':
        return record(ctx, { kind: 'password.reset', user: s?.user });
      case '/change-email':
        return record(ctx, { kind: 'email.change_requested', user: sessionUser, details: { to: body.newEmail } });
      case '/verify-email': {
        const t = tokenPayload((ctx.query as Record<string, unknown> | undefined)?.token);
        const user = newUser ?? (await userByEmail(ctx, t.updateTo ?? t.email));
        return record(ctx, t.updateTo ? { kind: 'email.changed', user, details: { from: t.email, to: t.updateTo } } : { kind: 'email.verified', user });
      }
      case '/organization/accept-invitation': {
        const r = ctx.context.returned as { member?: { organizationId?: string; role?: string; userId?: string } } | undefined;
        const org = r?.member?.organizationId ? await ctx.context.adapter.findOne<{ slug: string }>({ model: 'organization', where: [{ field: 'id', value: r.member.organizationId }] }) : null;
        return record(ctx, { kind: 'invitation.accepted', tenant: org?.slug ?? null, user: r?.member?.userId ?? sessionUser, details: { roles: (r?.member?.role ?? '').split(',').filter(Boolean) } });
      }
    }
  };

  return {
    id: 'kiln-auth-trail',
    hooks: {
      before: [
        {
          matcher: (ctx) => BEFORE.has(ctx.path ?? ''),
          handler: createAuthMiddleware(async (ctx) => {
            const s: Started = { at: performance.now() };
            started.set(keyOf(ctx), s);
            if (ctx.path === '/sign-out' || ctx.path === '/revoke-sessions') s.user = (await getSessionFromCtx(ctx).catch(() => null))?.user.id;
            else if (ctx.path === '/reset-password') {
              const token = (ctx.body as { token?: unknown } | undefined)?.token ?? (ctx.query as { token?: unknown } | undefined)?.token;
              if (typeof token === 'string') s.user = (await ctx.context.internalAdapter.findVerificationValue(`reset-password:${token}`))?.value;
            } else if (MFA_METHODS[ctx.path] && !sessionCookie(ctx)) Object.assign(s, await twoFactorChallenge(ctx).catch(() => ({})));
          }),
        },
      ],
      after: [{ matcher: (ctx) => WATCHED.has(ctx.path ?? ''), handler: createAuthMiddleware(after) }],
    },
  };
}
