// The Fastify application for one spec: a small core (query parsing, errors as problem+json, the
// caller's identity) with everything else registered as route plugins.
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Store } from '../data/store.ts';
import type { RootToken } from '../auth/root-token.ts';
import { actorFrom } from '../auth/actor.ts';
import { ApiKeys } from '../auth/api-keys.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import type { Actor } from '../data/access.ts';
import { sendProblem, toProblem } from './problem.ts';
import { contentRoutes } from './routes/content.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { healthRoutes } from './routes/health.ts';
import { searchRoutes } from './routes/search.ts';
import { mediaRoutes } from './routes/media.ts';
import type { BlobStore } from '../data/media/blob-store.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { builderRoutes, type BuilderHost } from './routes/builder.ts';
import { aiActionRoutes } from './routes/ai-actions.ts';
import type { ModelGateway } from '../intelligence/gateway/model-gateway.ts';
import { openApiDocument } from './openapi.ts';
import { parseQueryString } from './query-string.ts';
import { readTrustProxy, type TrustProxy } from './trust-proxy.ts';
import { createIdentity, type IdentitySetup } from '../auth/identity/identity.ts';
import { identityRoutes } from '../auth/identity/identity-routes.ts';
import { readIdentityConfig } from '../auth/identity/identity-config.ts';
import { readMailConfig } from '../auth/mail/mail-config.ts';
import { openOidc, type OidcOptions } from '../auth/provider/open-oidc.ts';
import { oidcRoutes } from '../auth/provider/oidc-routes.ts';
import { OIDC_PREFIX } from '../auth/provider/oidc-service.ts';
import { readAbuseConfig, type AbuseConfig } from '../auth/abuse/abuse-config.ts';
import { credentialGuard } from '../auth/abuse/credential-guard.ts';
import { AuditLog } from '../auth/audit/audit-log.ts';
import { authTrail } from '../auth/audit/auth-trail.ts';
import { watchOidc } from '../auth/audit/oidc-trail.ts';
import { auditRoutes } from '../auth/audit/audit-routes.ts';
import { AuthMetrics } from '../auth/metrics/auth-metrics.ts';
import { METRICS_PATH, metricsRoutes } from '../auth/metrics/metrics-routes.ts';
import { adminFiles } from './admin/admin-files.ts';
import { ADMIN_DIST_DIR, adminUiBuilt } from './admin/admin-build.ts';
import { specRoute } from './admin/spec-route.ts';

export type AppOptions = {
  store: Store;
  rootToken: RootToken;
  logger?: boolean | { level: string };
  bodyLimit?: number;
  version?: string;
  /** Where uploaded files live (the data directory by default; see `kiln start`). */
  blobs: BlobStore;
  /** Every model-backed task (AI content actions, the builder) goes through it; offline by default. */
  gateway: ModelGateway;
  /** Sign-in settings and mail (default: from the environment; see readIdentityConfig and readMailConfig). */
  identity?: Pick<IdentitySetup, 'config' | 'mail'>;
  /** The OAuth / OpenID Connect provider at /oidc (default: settings from the environment; see readOAuthConfig). */
  oauth?: OidcOptions;
  /** Credential rate limits (default: KILN_AUTH_RATE_LIMIT, KILN_AUTH_RATE_WINDOW, KILN_AUTH_SLOWDOWN_AFTER, KILN_REDIS_URL). */
  abuse?: AbuseConfig;
  /** Which proxies' X-Forwarded-For to believe (default: KILN_TRUST_PROXY; none). */
  trustProxy?: TrustProxy;
  /** A bearer token that may read /metrics besides the root token (default: KILN_METRICS_TOKEN). */
  metricsToken?: string;
  /** The spec file to rewrite and the switch to a new version after POST /api/builder/apply (the live server sets both). */
  builder?: BuilderHost;
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { store, rootToken } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? readTrustProxy(),
    // Per-request log lines are off for throughput; failures are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    routerOptions: {
      querystringParser: parseQueryString,
      maxParamLength: 200,
    },
    // Errors the router raises before any route runs (a malformed or over-long path) are problems too.
    frameworkErrors: (error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const path = request.url.split('?')[0];
      const notFound = status === 414;
      return sendProblem(reply, notFound
        ? { type: 'urn:kiln:problem:not-found', title: 'Not found', status: 404, detail: 'Not found: a path segment is longer than any name or id', instance: path }
        : { type: 'about:blank', title: 'Bad Request', status: 400, detail: error.message, instance: path });
    },
    ajv: {
      // Unknown fields and wrong types are errors, never silently dropped or converted.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false, allowUnionTypes: true },
    },
  });

  // The caller is known (or refused) before the body is even parsed, so a bad token never learns
  // anything about what a body should hold.
  const keys = new ApiKeys(() => store);
  const metrics = new AuthMetrics();
  const audit = await AuditLog.open(store.driver);
  const guard = await credentialGuard(app, { config: options.abuse ?? readAbuseConfig(), prefix: store.spec.name, observer: metrics });
  app.addHook('onClose', async () => {
    await guard.close();
    await audit.flushed();
  });
  const actors = new WeakMap<FastifyRequest, Actor>();
  const identitySettings = options.identity ?? { config: readIdentityConfig(), mail: readMailConfig() };
  const identity = await createIdentity({ driver: store.driver, spec: store.spec, queue: store.queue, ...identitySettings, audit: { log: audit, trail: authTrail({ audit, metrics }) } });
  // The provider's pages are the admin UI's when it is built, checked per interaction (kiln start may build it after this).
  const oidc = await openOidc({ store, identity, identityConfig: identitySettings.config, adminUi: adminUiBuilt, ...options.oauth });
  app.addHook('onClose', () => oidc.close());
  watchOidc(app, oidc, { audit, metrics });
  app.addHook('onRequest', async (req, reply) => {
    // OAuth endpoints authenticate their clients themselves (Basic, client_id…), not as API callers.
    // /metrics checks its own tokens (KILN_METRICS_TOKEN is not an API caller).
    if (req.url === OIDC_PREFIX || req.url.startsWith(`${OIDC_PREFIX}/`) || req.url === METRICS_PATH) return;
    actors.set(req, await actorFrom(req.headers.authorization, rootToken, keys, () => identity.sessionActor(req.url, req.headers, (c) => reply.header('set-cookie', c)), oidc.bearer));
  });
  const actor = (req: FastifyRequest): Actor => {
    const a = actors.get(req);
    // Every request passes the onRequest hook first; a route without an actor is a wiring fault.
    if (!a) throw new Error('the caller of this request was not resolved');
    return a;
  };
  // JSON is the only body this API reads; anything else is a 415.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const m = /^\/api\/(?:t\/([^/]+)\/)?([^/]+)/.exec(path);
    const detail = m && m[2] && !store.model.collections.has(m[2]) && m[1] !== undefined
      ? `No collection "${m[2]}"; collections are ${[...store.model.collections.keys()].join(', ')}`
      : `No route ${request.method} ${path}`;
    return sendProblem(reply, { type: 'urn:kiln:problem:not-found', title: 'Not found', status: 404, detail, instance: path });
  });

  const document = openApiDocument(store, options.version ?? '0.0.0');
  await app.register(swagger, { mode: 'static', specification: { document: document as never } });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => document);

  healthRoutes(app, { store });
  tenantRoutes(app, { store, actor });
  contentRoutes(app, { store, actor });
  searchRoutes(app, { store, actor });
  apiKeyRoutes(app, { keys, actor, audit });
  auditRoutes(app, { audit, actor });
  metricsRoutes(app, { metrics, rootToken, metricsToken: options.metricsToken ?? (process.env.KILN_METRICS_TOKEN || undefined) });
  await app.register(mediaRoutes, { store, actor, blobs: options.blobs });
  webhookRoutes(app, { store, actor });
  aiActionRoutes(app, { store, actor, gateway: options.gateway });
  builderRoutes(app, { store, actor, gateway: options.gateway, host: options.builder });
  await app.register(identityRoutes, { identity, actor });
  await app.register(oidcRoutes, { oidc });
  // The admin UI (web/admin) and the spec it reads; kiln start builds it when missing or stale.
  specRoute(app, { store, actor });
  adminFiles(app, { dir: ADMIN_DIST_DIR });
  return app;
}
