// Webhook subscriptions of a tenant, managed with the root token: create (the secret is shown once),
// list, read, change (PATCH), delete, rotate the secret, stop and re-enable, and read the delivery log.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { invalidQuery } from '../../data/errors.ts';
import { SINGLE_TENANT_SLUG, type Store } from '../../data/store.ts';
import { EVENT_TYPES, MAX_URL_LENGTH, WebhookSubscriptions, requireRoot } from '../../data/webhooks/subscriptions.ts';
import type { JsonSchema } from '../json-schemas.ts';
import { queryOf } from '../query-string.ts';

type Params = { tenant?: string; id: string };

const nullableList = (items: JsonSchema) => ({ type: ['array', 'null'], items });

const subscriptionSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    url: { type: 'string' },
    collections: { ...nullableList({ type: 'string' }), description: 'Collections whose changes are sent; null for all.' },
    events: { ...nullableList({ type: 'string' }), description: 'Change types that are sent; null for all.' },
    role: { type: ['string', 'null'], description: 'The role whose rules shape the payloads; null for full items.' },
    enabled: { type: 'boolean' },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    disabledReason: { type: ['string', 'null'], description: 'Why deliveries were stopped.' },
    consecutiveFailures: { type: 'integer' },
    previousSecretExpiresAt: { type: ['string', 'null'], format: 'date-time', description: 'Until then, the secret before the last rotation signs too.' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const withSecret: JsonSchema = {
  ...subscriptionSchema,
  properties: { ...(subscriptionSchema.properties as object), secret: { type: 'string', description: 'The signing secret (whsec_…), shown only here.' } },
};

const deliverySchema: JsonSchema = {
  type: 'object',
  properties: {
    messageId: { type: 'string' },
    event: { type: 'string' },
    attempt: { type: 'integer' },
    status: { type: 'string', enum: ['succeeded', 'failed', 'skipped'] },
    statusCode: { type: ['integer', 'null'] },
    durationMs: { type: ['integer', 'null'] },
    error: { type: ['string', 'null'] },
    at: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const urlSchema: JsonSchema = { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH, description: 'An http or https URL that receives a POST for each change.' };
const roleSchema: JsonSchema = { type: ['string', 'null'], description: 'Send only what this role of the spec may read: its row and field rules apply to every payload.' };

const createBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: urlSchema,
    collections: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 },
    events: { type: 'array', items: { type: 'string', enum: EVENT_TYPES }, minItems: 1, maxItems: EVENT_TYPES.length },
    role: roleSchema,
  },
};

// The same fields, each optional; null puts collections, events or role back to "all".
const updateBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: urlSchema,
    collections: { ...nullableList({ type: 'string' }), minItems: 1, maxItems: 100 },
    events: { ...nullableList({ type: 'string', enum: EVENT_TYPES }), minItems: 1, maxItems: EVENT_TYPES.length },
    role: roleSchema,
  },
};

const one = (schema: JsonSchema) => ({ type: 'object', properties: { data: schema } });

export function webhookRoutes(app: FastifyInstance, { store, actor }: { store: Store; actor: (req: FastifyRequest) => Actor }): void {
  const subscriptions = new WebhookSubscriptions(store);
  register(app, '/api/t/:tenant/webhooks', subscriptions, actor);
  if (store.spec.tenancy === 'single') register(app, '/api/webhooks', subscriptions, actor);
}

function register(app: FastifyInstance, base: string, subs: WebhookSubscriptions, actor: (req: FastifyRequest) => Actor) {
  const scope = (req: FastifyRequest) => ({ tenant: (req.params as Params).tenant ?? SINGLE_TENANT_SLUG, actor: actor(req) });
  const id = (req: FastifyRequest) => (req.params as Params).id;
  // Checked before the body: a caller who may not manage webhooks learns nothing about their shape.
  const rootOnly = async (req: FastifyRequest) => requireRoot(actor(req));

  app.post(base, {
    schema: { body: createBodySchema, response: { 201: one(withSecret) } },
    preValidation: rootOnly,
    handler: async (req, reply) => {
      const data = await subs.create(scope(req), req.body);
      reply.code(201).header('location', `${req.url.split('?')[0]}/${data.id}`);
      return { data };
    },
  });
  app.get(base, {
    schema: {
      response: {
        200: { type: 'object', properties: { data: { type: 'array', items: subscriptionSchema }, meta: { type: 'object', properties: { events: { type: 'array', items: { type: 'string' }, description: 'The change types a subscription can choose.' } } } } },
      },
    },
    handler: async (req) => ({ data: await subs.list(scope(req)), meta: { events: EVENT_TYPES } }),
  });
  app.get(`${base}/:id`, {
    schema: { response: { 200: one(subscriptionSchema) } },
    handler: async (req) => ({ data: await subs.get(scope(req), id(req)) }),
  });
  app.patch(`${base}/:id`, {
    schema: { body: updateBodySchema, response: { 200: one(subscriptionSchema) } },
    preValidation: rootOnly,
    handler: async (req) => ({ data: await subs.update(scope(req), id(req), req.body) }),
  });
  app.delete(`${base}/:id`, {
    handler: async (req, reply) => {
      await subs.remove(scope(req), id(req));
      return reply.code(204).send();
    },
  });
  app.post(`${base}/:id/rotate-secret`, {
    schema: { response: { 200: one(withSecret) } },
    preValidation: rootOnly,
    handler: async (req) => ({ data: await subs.rotateSecret(scope(req), id(req)) }),
  });
  app.post(`${base}/:id/enable`, {
    schema: { response: { 200: one(subscriptionSchema) } },
    preValidation: rootOnly,
    handler: async (req) => ({ data: await subs.enable(scope(req), id(req)) }),
  });
  app.post(`${base}/:id/disable`, {
    schema: { response: { 200: one(subscriptionSchema) } },
    preValidation: rootOnly,
    handler: async (req) => ({ data: await subs.disable(scope(req), id(req)) }),
  });
  app.get(`${base}/:id/deliveries`, {
    schema: {
      response: {
        200: { type: 'object', properties: { data: { type: 'array', items: deliverySchema }, meta: { type: 'object', properties: { next_cursor: { type: ['string', 'null'] } } } } },
      },
    },
    handler: async (req) => {
      const query = queryOf(req.query);
      for (const k of Object.keys(query)) if (k !== 'limit' && k !== 'cursor') throw invalidQuery(k, 'is not a query parameter here; use limit, cursor');
      const { limit, cursor } = query;
      if (limit !== undefined && (typeof limit !== 'string' || !/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 200)) throw invalidQuery('limit', 'must be a whole number from 1 to 200');
      if (cursor !== undefined && typeof cursor !== 'string') throw invalidQuery('cursor', 'must be given once');
      return subs.deliveries(scope(req), id(req), { limit: limit === undefined ? undefined : Number(limit), cursor });
    },
  });
}
