// OpenAPI 3.1, generated from the spec with the same schemas the routes validate and serialize with.
import type { Store } from '../data/store.ts';
import { OPERATORS } from '../data/query/filter.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../data/query/list-query.ts';
import { bodySchema, itemSchema, problemSchema, tenantBodySchema, tenantSchema, type JsonSchema } from './json-schemas.ts';

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
