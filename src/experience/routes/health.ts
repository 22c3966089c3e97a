// Liveness and readiness in one: answers 200 only when the database answers too.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Store } from '../../data/store.ts';

export function healthRoutes(app: FastifyInstance, { store }: { store: Store }): void {
  app.get('/api/health', async (_req, reply) => {
    try {
      await sql`select 1`.execute(store.driver.db);
      return { status: 'ok', app: store.spec.name, driver: store.driver.dialect };
    } catch {
      return reply.code(503).type('application/problem+json').send({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The database does not answer' });
    }
  });
}
