// Search across a tenant's collections: ranked hits with highlighted snippets.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { invalidQuery } from '../../data/errors.ts';
import { SINGLE_TENANT_SLUG, type Store } from '../../data/store.ts';
import { queryOf } from '../query-string.ts';

const PARAMS = new Set(['q', 'collections', 'limit']);

export function searchRoutes(app: FastifyInstance, { store, actor }: { store: Store; actor: (req: FastifyRequest) => Actor }): void {
  const handler = async (req: FastifyRequest) => {
    const query = queryOf(req.query);
    for (const k of Object.keys(query)) if (!PARAMS.has(k)) throw invalidQuery(k, 'is not a query parameter here; use q, collections, limit');
    const text = (name: string) => {
      const v = query[name];
      if (v !== undefined && typeof v !== 'string') throw invalidQuery(name, 'must be given once, as a plain value');
      return v;
    };
    const q = text('q');
    if (q === undefined) throw invalidQuery('q', 'is required: the words to search for');
    const limitText = text('limit');
    if (limitText !== undefined && (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100)) throw invalidQuery('limit', 'must be a whole number from 1 to 100');
    const collections = text('collections')?.split(',').map((c) => c.trim()).filter(Boolean);
    const tenant = (req.params as { tenant?: string }).tenant ?? SINGLE_TENANT_SLUG;
    return { data: await store.search({ tenant, actor: actor(req) }, q, { collections, limit: limitText ? Number(limitText) : undefined }) };
  };
  const schema = {
    response: {
      200: {
        type: 'object',
        properties: {
          data: {
            type: 'array',
            items: { type: 'object', properties: { collection: { type: 'string' }, id: { type: 'string' }, rank: { type: 'number' }, title: { type: 'string' }, snippet: { type: 'string' } } },
          },
        },
      },
    },
  };
  app.get('/api/t/:tenant/search', { schema, handler });
  if (store.spec.tenancy === 'single') app.get('/api/search', { schema, handler });
}
