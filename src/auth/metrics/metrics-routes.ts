// GET /metrics in the Prometheus text format. Metrics tell how many people sign in and fail, which
// is for operators only: the caller must present the root token or KILN_METRICS_TOKEN (a separate
// token a scraper can hold without holding root) as a bearer token; anyone else gets a 401.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { RootToken } from '../root-token.ts';
import type { AuthMetrics } from './auth-metrics.ts';

export const METRICS_PATH = '/metrics';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function metricsRoutes(app: FastifyInstance, o: { metrics: AuthMetrics; rootToken: RootToken; metricsToken?: string }): void {
  const scraper = o.metricsToken ? sha256(o.metricsToken) : undefined;
  const allowed = (authorization: string | undefined): boolean => {
    const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m) return false;
    return o.rootToken.verify(m[1]) || (scraper !== undefined && timingSafeEqual(sha256(m[1]), scraper));
  };
  app.get(METRICS_PATH, { schema: { hide: true } }, async (req, reply) => {
    if (!allowed(req.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="kiln-metrics"')
        .type('application/problem+json')
        .serializer(JSON.stringify)
        .send({ type: 'urn:kiln:problem:unauthenticated', title: 'Unauthenticated', status: 401, detail: 'Metrics need the root token or KILN_METRICS_TOKEN as a bearer token', instance: METRICS_PATH });
    }
    const body = await o.metrics.registry.metrics();
    return reply.type(o.metrics.registry.contentType).send(body);
  });
}
