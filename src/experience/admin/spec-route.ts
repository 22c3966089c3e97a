// GET /api/spec: what the admin UI needs to know about the running app (collections with their
// fields, workflows and AI actions; roles and their grants) for anyone signed in, whatever their
// role, and the MFA policy (auth.mfa) so the account page can say when two-factor must stay on.
// Other sign-in settings, webhooks and the rest of the spec stay out: the UI does not need them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError } from '../../data/errors.ts';
import type { Store } from '../../data/store.ts';

export function specRoute(app: FastifyInstance, { store, actor }: { store: Store; actor: (req: FastifyRequest) => Actor }): void {
  app.get('/api/spec', { schema: { hide: true } }, async (req) => {
    if (actor(req).kind === 'anonymous') throw new DataError('unauthenticated', 'Sign in to read the app spec');
    const { name, title, tenancy, collections, roles, auth } = store.spec;
    return { data: { name, title, tenancy, collections, roles: roles ?? {}, mfa: auth?.mfa ?? { policy: 'optional' } } };
  });
}
