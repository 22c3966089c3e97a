// Reading the audit log:
//   GET /api/tenants/:slug/audit   root, or a member holding the spec role "admin" in that tenant
//                                  (the rule member-routes.ts applies to managing members)
//   GET /api/audit                 root only: every event, sign-ins included (they belong to no tenant)
// Filters: kind (one or several, comma-separated), user (the account an event is about), since and
// until (ISO 8601; since inclusive, until exclusive), limit (1–500, default 50); newest first, and
// `meta.next` is the cursor of the next page.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError } from '../../data/errors.ts';
import { managesMembers } from '../identity/tenant-organizations.ts';
import { auditFilter, type AuditLog } from './audit-log.ts';

export function auditRoutes(app: FastifyInstance, o: { audit: AuditLog; actor: (req: FastifyRequest) => Actor }): void {
  const hide = { schema: { hide: true } };
  const page = async (req: FastifyRequest, tenant?: string) => {
    const r = await o.audit.query(auditFilter(req.query as Record<string, unknown>, tenant));
    return { data: r.data, meta: { next: r.next } };
  };

  app.get<{ Params: { slug: string } }>('/api/tenants/:slug/audit', hide, async (req) => {
    const a = o.actor(req);
    const slug = req.params.slug;
    if (a.kind === 'anonymous') throw new DataError('unauthenticated', "Reading a tenant's audit log needs the root token or a signed-in admin of the tenant");
    if (!managesMembers(a, slug)) throw new DataError('forbidden', `Only the root token and admins of "${slug}" may read its audit log`);
    return page(req, slug);
  });

  app.get('/api/audit', hide, async (req) => {
    const a = o.actor(req);
    if (a.kind === 'anonymous') throw new DataError('unauthenticated', 'Reading the audit log needs the root token');
    if (a.kind !== 'root') throw new DataError('forbidden', 'Only the root token may read the whole audit log; tenant admins read /api/tenants/{slug}/audit');
    return page(req);
  });
}
