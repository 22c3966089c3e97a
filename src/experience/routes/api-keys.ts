// API keys of a tenant: created (the key is shown once), listed and revoked with the root token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import type { ApiKeys } from '../../auth/api-keys.ts';
import type { AuditLog } from '../../auth/audit/audit-log.ts';

export function apiKeyRoutes(app: FastifyInstance, { keys, actor, audit }: { keys: ApiKeys; actor: (req: FastifyRequest) => Actor; audit?: AuditLog }): void {
  const tenant = (req: FastifyRequest) => (req.params as { tenant: string }).tenant;
  app.post('/api/t/:tenant/api-keys', {
    schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string' }, role: { type: 'string' } } } },
    handler: async (req, reply) => {
      reply.code(201);
      const data = await keys.create(actor(req), tenant(req), req.body as { name: string; role: string });
      audit?.recordFor(req, actor(req), { kind: 'api_key.created', tenant: tenant(req), details: { id: data.id, name: data.name, role: data.role } });
      return { data };
    },
  });
  app.get('/api/t/:tenant/api-keys', { handler: async (req) => ({ data: await keys.list(actor(req), tenant(req)) }) });
  app.delete('/api/t/:tenant/api-keys/:id', {
    handler: async (req, reply) => {
      await keys.revoke(actor(req), tenant(req), (req.params as { id: string }).id);
      audit?.recordFor(req, actor(req), { kind: 'api_key.revoked', tenant: tenant(req), details: { id: (req.params as { id: string }).id } });
      return reply.code(204).send();
    },
  });
}
