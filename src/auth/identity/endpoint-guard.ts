// A better-auth plugin that closes the endpoints Kiln does not offer. Tenants' members and
// invitations are managed through Kiln's own routes (member-routes.ts), which apply the spec's roles;
// the organization plugin's own management endpoints use a different permission model, so only the
// invitee's side of it stays open. With auth.mfa.policy "off" the two-factor endpoints are closed too,
// and a person whose roles the policy requires MFA of may not turn their second factor off.
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware, getSessionFromCtx } from 'better-auth/api';

const OPEN_ORGANIZATION_PATHS = new Set(['/organization/accept-invitation', '/organization/reject-invitation', '/organization/get-invitation', '/organization/list-user-invitations', '/organization/list']);

export function endpointGuard(o: { mfa: boolean; mfaRequiredFor?: (userId: string) => Promise<boolean> }): BetterAuthPlugin {
  const closed = (path: string) => (path.startsWith('/organization/') && !OPEN_ORGANIZATION_PATHS.has(path)) || (!o.mfa && path.startsWith('/two-factor/'));
  return {
    id: 'kiln-endpoint-guard',
    hooks: {
      before: [
        {
          matcher: (ctx) => closed(ctx.path ?? ''),
          handler: createAuthMiddleware(async () => {
            throw new APIError('NOT_FOUND', { message: 'Not found' });
          }),
        },
        {
          matcher: (ctx) => o.mfa && ctx.path === '/two-factor/disable' && o.mfaRequiredFor !== undefined,
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx).catch(() => null);
            if (session && (await o.mfaRequiredFor!(session.user.id))) {
              throw new APIError('FORBIDDEN', { message: 'Your role requires two-factor authentication: it cannot be turned off', code: 'MFA_REQUIRED' });
            }
          }),
        },
      ],
    },
  };
}
