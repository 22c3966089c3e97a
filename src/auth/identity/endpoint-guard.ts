// A better-auth plugin that closes the endpoints Kiln does not offer. Tenants' members and
// invitations are managed through Kiln's own routes (member-routes.ts), which apply the spec's roles;
// the organization plugin's own management endpoints use a different permission model, so only the
// invitee's side of it stays open. With auth.mfa.policy "off" the two-factor endpoints are closed too.
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';

const OPEN_ORGANIZATION_PATHS = new Set(['/organization/accept-invitation', '/organization/reject-invitation', '/organization/get-invitation', '/organization/list-user-invitations', '/organization/list']);

export function endpointGuard(o: { mfa: boolean }): BetterAuthPlugin {
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
      ],
    },
  };
}
