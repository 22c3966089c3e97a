// The content API: five routes per collection, registered from the spec so each has its own body
// and response schemas. Handlers only translate HTTP to store calls; the store does the rest.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../data/store.ts';
import { SINGLE_TENANT_SLUG } from '../../data/store.ts';
import type { CollectionModel } from '../../data/model.ts';
import { bodySchema, itemSchema } from '../json-schemas.ts';
import type { Actor } from '../../data/access.ts';
import { queryOf } from '../query-string.ts';

type Deps = { store: Store; actor: (req: FastifyRequest) => Actor };
type Params = { tenant?: string; id?: string };

export function contentRoutes(app: FastifyInstance, { store, actor }: Deps): void {
  const single = store.spec.tenancy === 'single';
  for (const cm of store.model.collections.values()) {
    register(app, `/api/t/:tenant/${cm.name}`, cm, store, actor);
    // Single-tenant apps also answer without the tenant segment.
    if (single) register(app, `/api/${cm.name}`, cm, store, actor);
  }
}

function register(app: FastifyInstance, base: string, cm: CollectionModel, store: Store, actor: Deps['actor']) {
  const item = itemSchema(cm);
  const one = { 200: { type: 'object', properties: { data: item } } };
  const scope = (req: FastifyRequest) => ({ tenant: (req.params as Params).tenant ?? SINGLE_TENANT_SLUG, actor: actor(req) });
  const id = (req: FastifyRequest) => (req.params as Params).id as string;
  const query = (req: FastifyRequest) => queryOf(req.query);

  app.get(base, {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            data: { type: 'array', items: item },
            meta: { type: 'object', properties: { next_cursor: { type: ['string', 'null'] }, total_count: { type: 'integer' } } },
          },
        },
      },
    },
    handler: (req) => store.list(scope(req), cm.name, query(req)),
  });
  app.post(base, {
    schema: { body: bodySchema(cm, 'create'), response: { 201: one[200] } },
    handler: async (req, reply) => {
      const data = await store.create(scope(req), cm.name, req.body);
      reply.code(201).header('location', `${req.url.split('?')[0]}/${data.id as string}`);
      return { data };
    },
  });
  app.get(`${base}/:id`, {
    schema: { response: one },
    handler: async (req) => ({ data: await store.get(scope(req), cm.name, id(req), query(req)) }),
  });
  app.patch(`${base}/:id`, {
    schema: { body: bodySchema(cm, 'update'), response: one },
    handler: async (req) => ({ data: await store.update(scope(req), cm.name, id(req), req.body) }),
  });
  app.delete(`${base}/:id`, {
    handler: async (req, reply) => {
      await store.remove(scope(req), cm.name, id(req));
      return reply.code(204).send();
    },
  });
}
