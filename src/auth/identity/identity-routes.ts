// HTTP for the identity layer. /api/auth/* is better-auth's own API, answered exactly as better-auth
// answers (its JSON bodies, status codes and redirects; see its documentation): each Fastify request
// becomes a Fetch Request with the body bytes untouched. Kiln's own routes here (/api/me, the public
// /api/sign-in-options, the development mail viewer) answer like the rest of Kiln, with problem+json errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { devMailRoutes } from '../mail/dev-mail-routes.ts';
import { AUTH_BASE_PATH, type Identity } from './identity.ts';
import { memberRoutes } from './member-routes.ts';
import { signInOptionsRoute } from './sign-in-options.ts';

export type IdentityRouteOptions = { identity: Identity; actor: (req: FastifyRequest) => Actor };

/** Behind a TLS-terminating proxy that says so, cookies are Secure even when KILN_PUBLIC_URL is not https. */
export function secureCookies(cookies: string[], https: boolean): string[] {
  return https ? cookies.map((c) => (/;\s*secure\b/i.test(c) ? c : `${c}; Secure`)) : cookies;
}

export async function identityRoutes(app: FastifyInstance, o: IdentityRouteOptions): Promise<void> {
  // This plugin's scope only: better-auth parses its own bodies, so it gets the bytes as they came.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = o.identity.auth();
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, v);
    }
    const body = req.body instanceof Buffer && req.method !== 'GET' && req.method !== 'HEAD' ? new Uint8Array(req.body) : undefined;
    const res = await auth.handler(new Request(new URL(req.url, auth.options.baseURL as string), { method: req.method, headers, body }));
    reply.status(res.status);
    for (const [k, v] of res.headers) if (k !== 'set-cookie' && k !== 'content-length') reply.header(k, v);
    const cookies = res.headers.getSetCookie();
    if (cookies.length) reply.header('set-cookie', secureCookies(cookies, req.protocol === 'https'));
    return reply.send(Buffer.from(await res.arrayBuffer()));
  };
  app.route({ method: ['GET', 'POST'], url: `${AUTH_BASE_PATH}/*`, schema: { hide: true }, handler: handle });

  // Who the content API takes the caller to be: root, a signed-in user, or anonymous.
  app.get('/api/me', { schema: { hide: true } }, async (req) => {
    const a = o.actor(req);
    const memberships = a.kind === 'user' && a.memberships && Object.keys(a.memberships).length ? { memberships: a.memberships } : {};
    return { data: a.kind === 'user' ? { kind: a.kind, id: a.id, roles: a.roles, ...memberships } : { kind: a.kind } };
  });

  signInOptionsRoute(app, o.identity);
  await app.register(memberRoutes, { identity: o.identity, actor: o.actor });
  await devMailRoutes(app, { outbox: o.identity.outbox, actor: o.actor });
}
