// API keys of a tenant: created (the key is shown once), listed and revoked with the root token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import type { ApiKeys } from '../../auth/api-keys.ts';

export function apiKeyRoutes(app: FastifyInstance, { keys, actor }: { keys: ApiKeys; actor: (req: FastifyRequest) => Actor }): void {
  const tenant = (req: FastifyRequest) => (req.params as { tenant: string }).tenant;
  app.post('/api/t/:tenant/api-keys', {
    schema: { body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string' }, role: { type: 'string' } } } },
    handler: async (req, reply) => {
      reply.code(201);
      return { data: await keys.create(actor(req), tenant(req), req.body as { name: string; role: string }) };
    },
  });
  app.get('/api/t/:tenant/api-keys', { handler: async (req) => ({ data: await keys.list(actor(req), tenant(req)) }) });
  app.delete('/api/t/:tenant/api-keys/:id', {
    handler: async (req, reply) => {
      await keys.revoke(actor(req), tenant(req), (req.params as { id: string }).id);
      return reply.code(204).send();
    },
  });
}
