// Tenants: created and listed with the root token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import type { Store } from '../../data/store.ts';
import { tenantBodySchema, tenantSchema } from '../json-schemas.ts';

export function tenantRoutes(app: FastifyInstance, { store, actor }: { store: Store; actor: (req: FastifyRequest) => Actor }): void {
  app.post('/api/tenants', {
    schema: { body: tenantBodySchema, response: { 201: { type: 'object', properties: { data: tenantSchema } } } },
    handler: async (req, reply) => {
      const data = await store.createTenant(actor(req), req.body as { slug: string; name: string });
      reply.code(201).header('location', `/api/t/${data.slug}`);
      return { data };
    },
  });
  app.get('/api/tenants', {
    schema: { response: { 200: { type: 'object', properties: { data: { type: 'array', items: tenantSchema } } } } },
    handler: async (req) => ({ data: await store.listTenants(actor(req)) }),
  });
}
