// HTTP for the provider. Everything under /oidc is oidc-provider's own, answered on the raw Node
// request and response (its bodies are read by oidc-provider itself). The interactions
// (/oidc/interaction/:uid, where oidc-provider sends the browser to sign in or consent) are Kiln's:
// - a step that needs nothing from the person ends at once: sign-in with the Kiln session cookie,
//   consent for a confidential client, or for a device whose confirmation page listed what it asks;
// - otherwise, with the admin UI built, the browser goes on to its page /admin/consent/:uid, which
//   reads the step from GET …/details and answers with POST …/confirm or …/deny (JSON). These live
//   under the interaction's own path because oidc-provider scopes its interaction cookie to it;
// - without the admin UI, small server-rendered forms (pages.ts) post to …/login and …/consent.
//
// Every one of them finds the interaction through oidc-provider's interaction cookie
// (SameSite=Lax, for this path), so only the browser that started the request can answer it: a
// forged cross-site POST arrives without it. The JSON answers also take only application/json
// bodies from this app's own origin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { DataError } from '../../data/errors.ts';
import { AUTH_TABLES } from '../identity/auth-schema.ts';
import { secureCookies } from '../identity/identity-routes.ts';
import { askedScopes } from './consent-text.ts';
import { saveGrantTenant } from './grant-tenants.ts';
import { OIDC_PREFIX, TENANT_PARAM, type OidcService } from './oidc-service.ts';
import { consentPage, errorPage, signInPage } from './pages.ts';

export const ADMIN_CONSENT_PAGE = '/admin/consent';
const EXPIRED = 'This sign-in request has expired or was already completed. Start again from the app.';

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
  // The admin UI's side (JSON bodies, problem+json errors like the rest of the API).
  app.get<{ Params: Params }>(`${OIDC_PREFIX}/interaction/:uid/details`, { schema: { hide: true } }, (req, reply) => describeStep(o, req, reply));
  app.post<{ Params: Params; Body: { password?: unknown } }>(`${OIDC_PREFIX}/interaction/:uid/confirm`, { schema: { hide: true } }, (req, reply) => confirm(o, req, reply));
  app.post<{ Params: Params }>(`${OIDC_PREFIX}/interaction/:uid/deny`, { schema: { hide: true } }, (req, reply) => deny(o, req, reply));
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

type Details = NonNullable<Awaited<ReturnType<typeof details>>>;

async function finish(o: OidcRouteOptions, req: FastifyRequest, reply: FastifyReply, result: InteractionResults) {
  reply.hijack();
  await o.oidc.provider().interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: !('error' in result) });
}

const expired = (reply: FastifyReply) => html(reply, 400, errorPage({ error_description: EXPIRED }));

async function clientName(o: OidcRouteOptions, clientId: unknown): Promise<{ id: string; name: string; confidential: boolean }> {
  const client = typeof clientId === 'string' ? await o.oidc.provider().Client.find(clientId) : undefined;
  return { id: String(clientId ?? ''), name: client?.clientName ?? client?.clientId ?? 'An app', confidential: Boolean(client && client.clientAuthMethod !== 'none') };
}

/** An explicit prompt=login (or an exceeded max_age) asks for the password even with a session. */
const forcedLogin = (d: Details) => d.prompt.reasons.includes('login_prompt') || d.prompt.reasons.includes('max_age');

/**
 * Consent nobody is asked for: a confidential client (it proved who it is), or a device once the
 * admin UI's confirmation page, which lists what it asks for, was confirmed (oidc-provider only
 * starts this interaction after that confirmation, posted with its xsrf value).
 */
const consentIsAutomatic = (o: OidcRouteOptions, d: Details, client: { confidential: boolean }) => client.confidential || (Boolean(d.deviceCode) && o.oidc.adminUi());

const sessionUser = (o: OidcRouteOptions, req: FastifyRequest, reply: FastifyReply) => o.oidc.sessionUser(req.url, req.headers, (c) => reply.raw.appendHeader('set-cookie', c));

const toAdminUi = (reply: FastifyReply, uid: string) => reply.header('cache-control', 'no-store').redirect(`${ADMIN_CONSENT_PAGE}/${encodeURIComponent(uid)}`, 303);

async function interaction(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
  const d = await details(o, req, reply);
  const admin = o.oidc.adminUi();
  if (!d) return admin ? toAdminUi(reply, req.params.uid) : expired(reply);
  const client = await clientName(o, d.params.client_id);
  if (d.prompt.name === 'login') {
    const user = forcedLogin(d) ? undefined : await sessionUser(o, req, reply);
    if (user) return finish(o, req, reply, { login: { accountId: user } });
    if (admin) return toAdminUi(reply, d.uid);
    return html(reply, 200, signInPage({ action: `${OIDC_PREFIX}/interaction/${d.uid}/login`, appName: o.oidc.appName, clientName: client.name }));
  }
  if (d.prompt.name === 'consent') {
    if (consentIsAutomatic(o, d, client)) return finish(o, req, reply, await consentResult(o, d));
    if (admin) return toAdminUi(reply, d.uid);
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
  const user = await signIn(o, req, reply, email, password);
  if (user) return finish(o, req, reply, { login: { accountId: user } });
  // One message for every failure: it must not tell whether an account exists.
  const client = await clientName(o, d.params.client_id);
  const error = 'The email or password is not right, or the address is not confirmed yet.';
  return html(reply, 401, signInPage({ action: `${OIDC_PREFIX}/interaction/${d.uid}/login`, appName: o.oidc.appName, clientName: client.name, email, error }));
}

/** Signs in through better-auth (its session cookie goes to the browser); the user id, or undefined when refused. */
async function signIn(o: OidcRouteOptions, req: FastifyRequest, reply: FastifyReply, email: string, password: string): Promise<string | undefined> {
  try {
    const out = await o.oidc.identity.auth().api.signInEmail({ body: { email, password }, headers: new Headers({ cookie: req.headers.cookie ?? '' }), returnHeaders: true });
    const cookies = out.headers.getSetCookie();
    if (cookies.length) reply.raw.appendHeader('set-cookie', secureCookies(cookies, req.protocol === 'https'));
    return out.response.user.id;
  } catch {
    return undefined;
  }
}

async function consent(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params; Body: Form }>, reply: FastifyReply) {
  const d = await details(o, req, reply);
  if (!d || d.prompt.name !== 'consent') return expired(reply);
  if (req.body?.decision !== 'allow') return finish(o, req, reply, DENIED);
  return finish(o, req, reply, await consentResult(o, d));
}

const DENIED: InteractionResults = { error: 'access_denied', error_description: 'The user denied the request' };

/** Grants what the step asks for, for the tenant the client named; or the error that ends the request. */
async function consentResult(o: OidcRouteOptions, d: Details): Promise<InteractionResults> {
  const tenant = o.oidc.tenantFor(d.params[TENANT_PARAM]);
  if (tenant !== undefined && !(await o.oidc.tenantExists(tenant))) return { error: 'invalid_request', error_description: `No tenant "${tenant}"` };
  const p = o.oidc.provider();
  const accountId = d.session?.accountId;
  if (!accountId) return { error: 'login_required', error_description: 'Nobody is signed in' };
  if (tenant !== undefined && !(await o.oidc.mayActIn(accountId, tenant))) return { error: 'access_denied', error_description: `You are not a member of tenant "${tenant}"` };
  const grant = (d.grantId ? await p.Grant.find(d.grantId) : undefined) ?? new p.Grant({ accountId, clientId: String(d.params.client_id) });
  const details = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  await saveGrantTenant(o.oidc.db, grantId, tenant, o.oidc.grantSeconds);
  return { consent: { grantId } };
}

// ——— The admin UI's JSON side ———

/** The step as the admin UI shows it. `ask` false: nothing to show, confirm at once. */
export type InteractionStep = {
  uid: string;
  step: 'login' | 'consent';
  client: { id: string; name: string };
  tenant: string | null;
  scopes: { scope: string; text: string }[];
  ask: boolean;
  /** The person must enter their password again (the client asked for a fresh sign-in). */
  password: boolean;
  /** Why the person cannot allow this: they can only send the app back with a refusal. */
  refused: string | null;
};

async function current(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<{ d: Details; user: string }> {
  reply.header('cache-control', 'no-store');
  const d = await details(o, req, reply);
  if (!d || (d.prompt.name !== 'login' && d.prompt.name !== 'consent')) throw new DataError('not_found', EXPIRED);
  const user = await sessionUser(o, req, reply);
  if (!user) throw new DataError('unauthenticated', 'Sign in with your account to continue.');
  return { d, user };
}

/** Only this app's own pages may answer: a JSON body (a cross-site form cannot send one) from this origin. */
function sameOrigin(o: OidcRouteOptions, req: FastifyRequest): void {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw Object.assign(new Error('Send the body as application/json'), { statusCode: 415 });
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if ((origin !== undefined && origin !== o.oidc.origin()) || (site !== undefined && site !== 'same-origin')) {
    throw new DataError('forbidden', "Only this app's own pages can answer a sign-in request.");
  }
}

const otherPerson = 'You are signed in as someone else than the person this app signed in before. Sign out, then start again from the app.';

async function describeStep(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<{ data: InteractionStep }> {
  const { d, user } = await current(o, req, reply);
  const client = await clientName(o, d.params.client_id);
  const tenant = o.oidc.tenantFor(d.params[TENANT_PARAM]);
  const base = { uid: d.uid, client: { id: client.id, name: client.name }, tenant: tenant ?? null, scopes: askedScopes(d.params.scope, tenant) };
  if (d.prompt.name === 'login') return { data: { ...base, step: 'login', ask: forcedLogin(d), password: forcedLogin(d), refused: null } };
  const refused = d.session?.accountId !== user ? otherPerson : ((await o.oidc.refusal(user, tenant)) ?? null);
  return { data: { ...base, step: 'consent', ask: refused !== null || !consentIsAutomatic(o, d, client), password: false, refused } };
}

async function confirm(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params; Body: { password?: unknown } }>, reply: FastifyReply): Promise<{ data: { redirectTo: string } }> {
  sameOrigin(o, req);
  const { d, user } = await current(o, req, reply);
  let result: InteractionResults;
  if (d.prompt.name === 'login') {
    if (forcedLogin(d)) {
      const password = req.body?.password;
      if (typeof password !== 'string' || !password) throw new DataError('invalid_body', 'Enter your password', [{ field: 'password', detail: 'is required' }]);
      const row = await o.oidc.db.selectFrom(AUTH_TABLES.user).select('email').where('id', '=', user).executeTakeFirst();
      if (!row || (await signIn(o, req, reply, String(row.email), password)) !== user) {
        throw new DataError('unauthenticated', 'The password is not right.', [{ field: 'password', detail: 'is not right' }]);
      }
    }
    result = { login: { accountId: user } };
  } else {
    if (d.session?.accountId !== user) throw new DataError('conflict', otherPerson);
    result = await consentResult(o, d);
  }
  const redirectTo = await o.oidc.provider().interactionResult(req.raw, reply.raw, result, { mergeWithLastSubmission: !('error' in result) });
  return { data: { redirectTo } };
}

async function deny(o: OidcRouteOptions, req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<{ data: { redirectTo: string } }> {
  sameOrigin(o, req);
  await current(o, req, reply);
  const redirectTo = await o.oidc.provider().interactionResult(req.raw, reply.raw, DENIED, { mergeWithLastSubmission: false });
  return { data: { redirectTo } };
}
