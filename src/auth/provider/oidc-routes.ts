// HTTP for the provider. Everything under /oidc is oidc-provider's own, answered on the raw Node
// request and response (its bodies are read by oidc-provider itself). The interaction pages
// (/oidc/interaction/:uid) are Kiln's: sign-in uses the identity layer's session, or a small form
// that signs in through better-auth; consent lists the client and scopes with Allow and Deny.
//
// The forms post back to the same origin and the interaction cookie is SameSite=Lax, so a forged
// cross-site POST arrives without it and finds no interaction.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { secureCookies } from '../identity/identity-routes.ts';
import { saveGrantTenant } from './grant-tenants.ts';
import { OIDC_PREFIX, TENANT_PARAM, type OidcService } from './oidc-service.ts';
import { consentPage, errorPage, signInPage } from './pages.ts';

export type OidcRouteOptions = { oidc: OidcService };

type Params = { uid: string };
type Form = Record<string, string>;

export async function oidcRoutes(app: FastifyInstance, o: OidcRouteOptions): Promise<void> {
  await app.register(async (scope) => {
    // oidc-provider reads its request bodies itself: leave the stream untouched.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    scope.route({
      method: ['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE'],
      url: `${OIDC_PREFIX}/*`,
      schema: { hide: true },
      handler: (req, reply) => {
        reply.hijack();
        o.oidc.handle(req.raw, reply.raw, req.ip);
      },
    });
  });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.get<{ Params: Params }>(`${OIDC_PREFIX}/interaction/:uid`, { schema: { hide: true } }, (req, reply) => interaction(o, req, reply));
    scope.post<{ Params: Params; Body: Form }>(`${OIDC_PREFIX}/interaction/:uid/login`, { schema: { hide: true } }, (req, reply) => login(o, req, reply));
    scope.post<{ Params: Params; Body: Form }>(`${OIDC_PREFIX}/interaction/:uid/consent`, { schema: { hide: true } }, (req, reply) => consent(o, req, reply));
  });
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'").send(body);

async function details(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
  try {
    const d = await o.oidc.provider().interactionDetails(req.raw, reply.raw);
    return d.uid === req.params.uid ? d : undefined;
  } catch {
    return undefined;
  }
}

async function finish(o: OidcRouteOptions, req: FastifyRequest, reply: FastifyReply, result: InteractionResults, merge = true) {
  reply.hijack();
  await o.oidc.provider().interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: merge });
}

const expired = (reply: FastifyReply) => html(reply, 400, errorPage({ error_description: 'This sign-in request has expired or was already completed. Start again from the app.' }));

async function clientName(o: OidcRouteOptions, clientId: unknown): Promise<{ name: string; confidential: boolean }> {
  const client = typeof clientId === 'string' ? await o.oidc.provider().Client.find(clientId) : undefined;
  return { name: client?.clientName ?? client?.clientId ?? 'An app', confidential: Boolean(client && client.clientAuthMethod !== 'none') };
}

async function interaction(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
  const d = await details(o, req, reply);
  if (!d) return expired(reply);
  const client = await clientName(o, d.params.client_id);
  if (d.prompt.name === 'login') {
    // An explicit prompt=login (or an exceeded max_age) asks for the password even with a session.
    const forced = d.prompt.reasons.includes('login_prompt') || d.prompt.reasons.includes('max_age');
    const user = forced ? undefined : await o.oidc.sessionUser(req.url, req.headers, (c) => reply.raw.appendHeader('set-cookie', c));
    if (user) return finish(o, req, reply, { login: { accountId: user } });
    return html(reply, 200, signInPage({ action: `${OIDC_PREFIX}/interaction/${d.uid}/login`, appName: o.oidc.appName, clientName: client.name }));
  }
  if (d.prompt.name === 'consent') {
    if (client.confidential) return grantConsent(o, req, reply, d);
    const tenant = o.oidc.tenantFor(d.params[TENANT_PARAM]);
    const scopes = String(d.params.scope ?? '').split(' ').filter(Boolean);
    return html(reply, 200, consentPage({ action: `${OIDC_PREFIX}/interaction/${d.uid}/consent`, clientName: client.name, scopes, tenant }));
  }
  return html(reply, 400, errorPage({ error_description: `Unsupported step "${d.prompt.name}"` }));
}

async function login(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params; Body: Form }>, reply: FastifyReply) {
  const d = await details(o, req, reply);
  if (!d || d.prompt.name !== 'login') return expired(reply);
  const email = String(req.body?.email ?? '').trim();
  const password = String(req.body?.password ?? '');
  try {
    const out = await o.oidc.identity.auth().api.signInEmail({ body: { email, password }, headers: new Headers({ cookie: req.headers.cookie ?? '' }), returnHeaders: true });
    const cookies = out.headers.getSetCookie();
    if (cookies.length) reply.raw.appendHeader('set-cookie', secureCookies(cookies, req.protocol === 'https'));
    return finish(o, req, reply, { login: { accountId: out.response.user.id } });
  } catch {
    // One message for every failure: it must not tell whether an account exists.
    const client = await clientName(o, d.params.client_id);
    const error = 'The email or password is not right, or the address is not confirmed yet.';
    return html(reply, 401, signInPage({ action: `${OIDC_PREFIX}/interaction/${d.uid}/login`, appName: o.oidc.appName, clientName: client.name, email, error }));
  }
}

async function consent(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params; Body: Form }>, reply: FastifyReply) {
  const d = await details(o, req, reply);
  if (!d || d.prompt.name !== 'consent') return expired(reply);
  if (req.body?.decision !== 'allow') return finish(o, req, reply, { error: 'access_denied', error_description: 'The user denied the request' }, false);
  return grantConsent(o, req, reply, d);
}

type Details = NonNullable<Awaited<ReturnType<typeof details>>>;

async function grantConsent(o: OidcRouteOptions, req: FastifyRequest, reply: FastifyReply, d: Details) {
  const tenant = o.oidc.tenantFor(d.params[TENANT_PARAM]);
  if (tenant !== undefined && !(await o.oidc.tenantExists(tenant))) {
    return finish(o, req, reply, { error: 'invalid_request', error_description: `No tenant "${tenant}"` }, false);
  }
  const p = o.oidc.provider();
  const accountId = d.session?.accountId;
  if (!accountId) return expired(reply);
  if (tenant !== undefined && !(await o.oidc.mayActIn(accountId, tenant))) {
    return finish(o, req, reply, { error: 'access_denied', error_description: `You are not a member of tenant "${tenant}"` }, false);
  }
  const grant = (d.grantId ? await p.Grant.find(d.grantId) : undefined) ?? new p.Grant({ accountId, clientId: String(d.params.client_id) });
  const details = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  await saveGrantTenant(o.oidc.db, grantId, tenant, o.oidc.grantSeconds);
  return finish(o, req, reply, { consent: { grantId } });
}
