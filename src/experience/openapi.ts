// OpenAPI 3.1, generated from the spec with the same schemas the routes validate and serialize with.
import type { Store } from '../data/store.ts';
import { OPERATORS } from '../data/query/filter.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../data/query/list-query.ts';
import { bodySchema, itemSchema, problemSchema, tenantBodySchema, tenantSchema, type JsonSchema } from './json-schemas.ts';
import { aiActionPaths } from './routes/ai-actions.ts';

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: JsonSchema, description: string) => ({ description, content: { 'application/json': { schema } } });

export function openApiDocument(store: Store, version: string): JsonSchema {
  const schemas: Record<string, JsonSchema> = { Problem: problemSchema, Tenant: tenantSchema, TenantCreate: tenantBodySchema };
  const paths: Record<string, JsonSchema> = {};
  const single = store.spec.tenancy === 'single';
  const tenantParam = { name: 'tenant', in: 'path', required: true, schema: { type: 'string' }, description: 'Tenant slug.' };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const readParams = [
    { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields to return; dotted paths select inside expanded relations. id is always returned.' },
    { name: 'expand', in: 'query', schema: { type: 'string' }, description: 'Comma-separated relation fields to return as items instead of ids; dotted paths expand further (at most 3 levels).' },
  ];
  const listParams = [
    {
      name: 'filter',
      in: 'query',
      schema: { type: 'string' },
      description: `Rule tree as JSON, e.g. {"status":{"_eq":"published"},"author.name":{"_starts_with":"A"}}, or in bracket form filter[status][_eq]=published. Operators: ${OPERATORS.join(' ')}; nest with _and / _or.`,
    },
    { name: 'search', in: 'query', schema: { type: 'string' }, description: 'Full-text search over the searchable fields (English stemming, prefix matching); combines with filter and sort.' },
    { name: 'sort', in: 'query', schema: { type: 'string' }, description: 'Comma-separated fields, "-" for descending, e.g. -publishedAt,title.' },
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
    { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'meta.next_cursor of the previous page.' },
    { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Items to skip; not combined with cursor.' },
    { name: 'meta', in: 'query', schema: { type: 'string', enum: ['total_count'] }, description: 'total_count adds meta.total_count.' },
    ...readParams,
  ];
  const errors = { 400: problem('Invalid query'), 401: problem('Missing or invalid token'), 403: problem('Not allowed'), 404: problem('No such tenant, collection or item') };
  const security = [{}, { bearer: [] }];

  for (const cm of store.model.collections.values()) {
    const name = pascal(cm.name);
    schemas[name] = itemSchema(cm);
    schemas[`${name}Create`] = bodySchema(cm, 'create');
    schemas[`${name}Update`] = bodySchema(cm, 'update');
    const one = json({ type: 'object', properties: { data: ref(name) } }, `One ${cm.name} item`);
    const collectionPaths = {
      list: {
        get: {
          tags: [cm.name],
          operationId: `list${name}`,
          summary: `List ${cm.name}`,
          parameters: listParams,
          security,
          responses: {
            200: json({ type: 'object', properties: { data: { type: 'array', items: ref(name) }, meta: { type: 'object', properties: { next_cursor: { type: ['string', 'null'] }, total_count: { type: 'integer' } } } } }, `A page of ${cm.name}`),
            ...errors,
          },
        },
        post: {
          tags: [cm.name],
          operationId: `create${name}`,
          summary: `Create a ${cm.name} item`,
          security,
          requestBody: { required: true, content: { 'application/json': { schema: ref(`${name}Create`) } } },
          responses: { 201: one, ...errors, 409: problem('A unique value is taken'), 413: problem('Body too large'), 422: problem('Invalid fields') },
        },
      },
      item: {
        get: { tags: [cm.name], operationId: `get${name}`, summary: `Get a ${cm.name} item`, parameters: [idParam, ...readParams], security, responses: { 200: one, ...errors } },
        patch: {
          tags: [cm.name],
          operationId: `update${name}`,
          summary: `Change fields of a ${cm.name} item`,
          parameters: [idParam],
          security,
          requestBody: { required: true, content: { 'application/json': { schema: ref(`${name}Update`) } } },
          responses: { 200: one, ...errors, 409: problem('A unique value is taken'), 422: problem('Invalid fields') },
        },
        delete: { tags: [cm.name], operationId: `delete${name}`, summary: `Delete a ${cm.name} item`, parameters: [idParam], security, responses: { 204: { description: 'Deleted' }, ...errors, 409: problem('Still referenced by other items') } },
      },
    };
    const withTenant = (op: Record<string, JsonSchema>) =>
      Object.fromEntries(Object.entries(op).map(([m, o]) => [m, { ...o, parameters: [tenantParam, ...((o.parameters as unknown[]) ?? [])] }]));
    if (single) {
      paths[`/api/${cm.name}`] = collectionPaths.list;
      paths[`/api/${cm.name}/{id}`] = collectionPaths.item;
    } else {
      paths[`/api/t/{tenant}/${cm.name}`] = withTenant(collectionPaths.list);
      paths[`/api/t/{tenant}/${cm.name}/{id}`] = withTenant(collectionPaths.item);
    }
  }
  const revisionPaths = (prefix: string, params: unknown[]) => ({
    [`${prefix}/{id}/revisions`]: { get: { tags: ['revisions'], summary: 'Revisions of an item, oldest first: who, when, what kind of change, content hash', parameters: [...params, idParam], security, responses: { 200: { description: 'Revisions' }, ...errors } } },
    [`${prefix}/{id}/revisions/{rev}`]: { get: { tags: ['revisions'], summary: 'One revision with the full content it recorded', parameters: [...params, idParam, { name: 'rev', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }], security, responses: { 200: { description: 'The revision' }, ...errors } } },
    [`${prefix}/{id}/revisions/{rev}/restore`]: { post: { tags: ['revisions'], summary: "Make a revision's content current again, as a new revision", parameters: [...params, idParam, { name: 'rev', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }], security, responses: { 200: { description: 'The item as restored' }, ...errors, 409: problem('The revision is a deletion'), 422: problem('The old content no longer fits') } } },
    [`${prefix}/{id}/diff`]: { get: { tags: ['revisions'], summary: 'Field-by-field differences between two revisions', parameters: [...params, idParam, { name: 'from', in: 'query', required: true, schema: { type: 'integer' } }, { name: 'to', in: 'query', required: true, schema: { type: 'integer' } }], security, responses: { 200: { description: 'Changed fields with before and after' }, ...errors } } },
  });
  for (const cm of store.model.collections.values()) {
    const prefix = single ? `/api/${cm.name}` : `/api/t/{tenant}/${cm.name}`;
    Object.assign(paths, revisionPaths(prefix, single ? [] : [tenantParam]));
    Object.assign(paths, aiActionPaths(store, cm.name, prefix, single ? [] : [tenantParam]));
    if (cm.live) {
      const wf = cm.live.workflow;
      const states = (cm.fields.get(wf.field)!.field as { values: string[] }).values;
      paths[`${prefix}/{id}/transition`] = {
        post: {
          tags: [cm.name],
          operationId: `transition${pascal(cm.name)}`,
          summary: `Move a ${cm.name} item to another state (${states.join(', ')}); entering "${wf.publish}" publishes it`,
          description: wf.transitions.map((t) => `${Array.isArray(t.from) ? t.from.join('|') : t.from} → ${t.to}: ${t.roles.join(', ')}`).join('\n'),
          parameters: [...(single ? [] : [tenantParam]), idParam],
          security,
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['to'], properties: { to: { type: 'string', enum: states } } } } } },
          responses: { 200: { description: 'The item in its new state' }, ...errors, 409: problem('No such transition from the current state; errors name the allowed ones'), 422: problem('Unknown state') },
        },
      };
    }
  }
  paths[single ? '/api/search' : '/api/t/{tenant}/search'] = {
    get: {
      tags: ['search'],
      operationId: 'search',
      summary: 'Search across collections, ranked, with highlighted snippets (<mark>)',
      parameters: [
        ...(single ? [] : [tenantParam]),
        { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'collections', in: 'query', schema: { type: 'string' }, description: 'Comma-separated collections; default all the caller may read.' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      ],
      security,
      responses: { 200: { description: 'Hits: collection, id, rank, title, snippet' }, ...errors },
    },
  };
  const t = single ? '/api' : '/api/t/{tenant}';
  const tp = single ? [] : [tenantParam];
  const uuidParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const rootOnly = [{ bearer: [] }];
  paths[`${t}/webhooks`] = {
    get: { tags: ['webhooks'], summary: 'List webhook subscriptions (no secrets)', parameters: tp, security: rootOnly, responses: { 200: { description: 'Subscriptions' }, ...errors } },
    post: {
      tags: ['webhooks'],
      summary: 'Subscribe a URL to content changes; the signing secret (Standard Webhooks) is shown once',
      parameters: tp,
      security: rootOnly,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' }, collections: { type: 'array', items: { type: 'string' } }, events: { type: 'array', items: { type: 'string', enum: ['create', 'update', 'delete', 'restore', 'transition', 'publish', 'unpublish'] } } } } } } },
      responses: { 201: { description: 'The subscription with its secret' }, ...errors, 422: problem('Invalid URL, collection or event') },
    },
  };
  paths[`${t}/webhooks/{id}`] = {
    get: { tags: ['webhooks'], summary: 'One subscription, with its state (enabled, or stopped and why)', parameters: [...tp, uuidParam], security: rootOnly, responses: { 200: { description: 'The subscription' }, ...errors } },
    delete: { tags: ['webhooks'], summary: 'Remove a subscription', parameters: [...tp, uuidParam], security: rootOnly, responses: { 204: { description: 'Removed' }, ...errors } },
  };
  paths[`${t}/webhooks/{id}/rotate-secret`] = { post: { tags: ['webhooks'], summary: 'A new secret; the old one keeps signing during a grace period', parameters: [...tp, uuidParam], security: rootOnly, responses: { 200: { description: 'The new secret' }, ...errors } } };
  paths[`${t}/webhooks/{id}/enable`] = { post: { tags: ['webhooks'], summary: 'Resume a subscription stopped after repeated failures', parameters: [...tp, uuidParam], security: rootOnly, responses: { 200: { description: 'Enabled' }, ...errors } } };
  paths[`${t}/webhooks/{id}/deliveries`] = { get: { tags: ['webhooks'], summary: 'Delivery log, newest first: attempt, status, duration, error', parameters: [...tp, uuidParam], security: rootOnly, responses: { 200: { description: 'Deliveries' }, ...errors } } };
  if (!single) {
    paths['/api/t/{tenant}/api-keys'] = {
      get: { tags: ['api keys'], summary: 'List the API keys of a tenant (name, role, last four characters)', parameters: [tenantParam], security: rootOnly, responses: { 200: { description: 'Keys' }, ...errors } },
      post: {
        tags: ['api keys'],
        summary: 'Create an API key acting with one role of the spec in this tenant; the key is shown once',
        parameters: [tenantParam],
        security: rootOnly,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'role'], properties: { name: { type: 'string' }, role: { type: 'string', enum: Object.keys(store.spec.roles ?? {}).filter((r) => r !== 'public') } } } } } },
        responses: { 201: { description: 'The key, shown once' }, ...errors, 422: problem('Unknown role') },
      },
    };
    paths['/api/t/{tenant}/api-keys/{id}'] = { delete: { tags: ['api keys'], summary: 'Revoke an API key', parameters: [tenantParam, uuidParam], security: rootOnly, responses: { 204: { description: 'Revoked' }, ...errors } } };
  }
  paths[`${t}/media`] = {
    post: {
      tags: ['media'],
      summary: "Upload a file (multipart/form-data); collection and field apply that media field's accept and maxSize",
      parameters: [...tp, { name: 'collection', in: 'query', schema: { type: 'string' } }, { name: 'field', in: 'query', schema: { type: 'string' } }],
      security,
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } } },
      responses: { 201: { description: 'Stored: id, url, type, size, width, height' }, 200: { description: 'The same bytes were stored before' }, ...errors, 413: problem('Larger than the field allows'), 415: problem('A type the field does not accept') },
    },
  };
  paths[`${t}/media/{id}`] = {
    get: {
      tags: ['media'],
      summary: 'The file; images also resized on demand',
      parameters: [...tp, uuidParam, { name: 'w', in: 'query', schema: { type: 'integer' } }, { name: 'h', in: 'query', schema: { type: 'integer' } }, { name: 'fit', in: 'query', schema: { type: 'string', enum: ['inside', 'cover', 'contain'] } }, { name: 'format', in: 'query', schema: { type: 'string', enum: ['webp', 'jpeg', 'png'] } }],
      security,
      responses: { 200: { description: 'The file, with its hash as ETag' }, 304: { description: 'Not modified' }, ...errors },
    },
  };
  paths['/api/health'] = { get: { tags: ['system'], operationId: 'health', summary: 'Server and database health', responses: { 200: { description: 'Healthy' }, 503: problem('Database unavailable') } } };
  paths['/api/tenants'] = {
    get: { tags: ['system'], operationId: 'listTenants', summary: 'List tenants (root token)', security: [{ bearer: [] }], responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: ref('Tenant') } } }, 'Tenants'), 401: problem('Root token required') } },
    post: {
      tags: ['system'],
      operationId: 'createTenant',
      summary: 'Create a tenant (root token)',
      security: [{ bearer: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: ref('TenantCreate') } } },
      responses: { 201: json({ type: 'object', properties: { data: ref('Tenant') } }, 'Created'), 401: problem('Root token required'), 409: problem('Slug taken'), 422: problem('Invalid fields') },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: store.spec.title ?? store.spec.name, version, description: `${store.spec.description ?? ''}\n\nGenerated by Kiln from the app spec. Errors are RFC 9457 problem+json.`.trim() },
    servers: [{ url: '/' }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
