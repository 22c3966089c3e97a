// The content API: five routes per collection, registered from the spec so each has its own body
// and response schemas. Handlers only translate HTTP to store calls; the store does the rest.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../data/store.ts';
import { SINGLE_TENANT_SLUG } from '../../data/store.ts';
import type { CollectionModel } from '../../data/model.ts';
import { bodySchema, itemSchema } from '../json-schemas.ts';
import type { Actor } from '../../data/access.ts';
import { queryOf } from '../query-string.ts';
import { invalidQuery } from '../../data/errors.ts';

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
  // Checked before the body is validated: a caller who may not write learns nothing about the schema.
  const may = (action: 'create' | 'update') => async (req: FastifyRequest) => store.authorize(actor(req), action, cm.name, (req.params as Params).tenant ?? SINGLE_TENANT_SLUG);
  app.post(base, {
    schema: { body: bodySchema(cm, 'create'), response: { 201: one[200] } },
    preValidation: may('create'),
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
    preValidation: may('update'),
    handler: async (req) => ({ data: await store.update(scope(req), cm.name, id(req), req.body) }),
  });
  const revision = (req: FastifyRequest) => {
    const r = (req.params as { rev?: string }).rev ?? '';
    if (!/^[1-9]\d{0,8}$/.test(r)) throw invalidQuery('rev', 'must be a revision number from 1');
    return Number(r);
  };
  app.get(`${base}/:id/revisions`, {
    handler: async (req) => ({ data: await store.revisions(scope(req), cm.name, id(req)) }),
  });
  app.get(`${base}/:id/revisions/:rev`, {
    handler: async (req) => ({ data: await store.revision(scope(req), cm.name, id(req), revision(req)) }),
  });
  app.post(`${base}/:id/revisions/:rev/restore`, {
    schema: { response: one },
    handler: async (req) => ({ data: await store.restore(scope(req), cm.name, id(req), revision(req)) }),
  });
  app.get(`${base}/:id/diff`, {
    handler: async (req) => {
      const q = queryOf(req.query);
      const num = (name: 'from' | 'to') => {
        const v = q[name];
        if (typeof v !== 'string' || !/^[1-9]\d{0,8}$/.test(v)) throw invalidQuery(name, 'must be a revision number from 1');
        return Number(v);
      };
      return { data: await store.diffRevisions(scope(req), cm.name, id(req), num('from'), num('to')) };
    },
  });
  if (cm.live) {
    app.post(`${base}/:id/transition`, {
      schema: { body: { type: 'object', additionalProperties: false, required: ['to'], properties: { to: { type: 'string', enum: (cm.fields.get(cm.live.workflow.field)!.field as { values: string[] }).values } } }, response: one },
      handler: async (req) => ({ data: await store.transition(scope(req), cm.name, id(req), (req.body as { to: string }).to) }),
    });
    app.post(`${base}/:id/schedule`, {
      schema: { body: { type: 'object', additionalProperties: false, required: ['at'], properties: { to: { type: 'string' }, at: { type: 'string' } } } },
      handler: async (req, reply) => {
        reply.code(201);
        return { data: await store.scheduleTransition(scope(req), cm.name, id(req), req.body as { to?: string; at: string }) };
      },
    });
    app.get(`${base}/:id/schedule`, {
      handler: async (req) => ({ data: await store.schedules(scope(req), cm.name, id(req)) }),
    });
    app.delete(`${base}/:id/schedule/:schedule`, {
      handler: async (req) => ({ data: await store.cancelSchedule(scope(req), cm.name, id(req), (req.params as { schedule: string }).schedule) }),
    });
  }
  app.delete(`${base}/:id`, {
    handler: async (req, reply) => {
      await store.remove(scope(req), cm.name, id(req));
      return reply.code(204).send();
    },
  });
}
