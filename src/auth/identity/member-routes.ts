// Tenants' people over HTTP, beside /api/tenants (tenant-organizations.ts has the rules):
//   GET    /api/tenants/:slug/providers              anyone: how to sign in to this tenant
//   GET    /api/tenants/:slug/members                root or the tenant's admins
//   POST   /api/tenants/:slug/members                root: {email, roles} makes an existing account a member
//   PUT    /api/tenants/:slug/members/:userId        root or admins: {roles} replaces the person's roles
//   DELETE /api/tenants/:slug/members/:userId        root or admins
//   GET    /api/tenants/:slug/invitations            root or admins: pending invitations
//   POST   /api/tenants/:slug/invitations            admins: {email, roles} mails an invitation
//   GET    /api/tenants/:slug/invitations/:id        admins, or the invited person once signed in
//   DELETE /api/tenants/:slug/invitations/:id        root or admins: cancels a pending invitation
// The invited person accepts with POST /api/auth/organization/accept-invitation {invitationId}.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError, notFound } from '../../data/errors.ts';
import type { Identity } from './identity.ts';
import { managesMembers } from './tenant-organizations.ts';

export type MemberRouteOptions = { identity: Identity; actor: (req: FastifyRequest) => Actor };

type Params = { slug: string; userId: string; id: string };
type Body = Record<string, unknown> | undefined;

function mustManage(actor: Actor, slug: string): void {
  if (actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Managing members needs the root token or a signed-in admin of the tenant');
  if (!managesMembers(actor, slug)) throw new DataError('forbidden', `Only the root token and admins of "${slug}" may manage its members`);
}

export async function memberRoutes(app: FastifyInstance, o: MemberRouteOptions): Promise<void> {
  // The identity plugin scope hands bodies to better-auth untouched; these routes read JSON.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const { tenants } = o.identity;
  const hide = { schema: { hide: true } };

  app.get<{ Params: Params }>('/api/tenants/:slug/providers', hide, async (req) => {
    await tenants.organizationOf(req.params.slug);
    const slug = req.params.slug;
    const providers = o.identity.providers.filter((p) => !p.tenants || p.tenants.includes(slug));
    return {
      data: {
        password: o.identity.passwordSignIn,
        passkey: o.identity.passkeySignIn,
        providers: providers.map((p) => ({ id: p.id, type: p.type, label: p.label, provider: p.signInId, signIn: { method: 'POST', url: '/api/auth/sign-in/social', body: { provider: p.signInId } } })),
      },
    };
  });

  app.get<{ Params: Params }>('/api/tenants/:slug/members', hide, async (req) => {
    mustManage(o.actor(req), req.params.slug);
    return { data: await tenants.listMembers(req.params.slug) };
  });

  app.post<{ Params: Params; Body: Body }>('/api/tenants/:slug/members', hide, async (req, reply) => {
    const a = o.actor(req);
    if (a.kind === 'anonymous') throw new DataError('unauthenticated', 'Adding a member needs the root token');
    if (a.kind !== 'root') throw new DataError('forbidden', 'Only the root token adds members directly; admins invite them');
    const data = await tenants.addMember(req.params.slug, req.body?.email, req.body?.roles);
    o.identity.audit?.recordFor(req, a, { kind: 'member.added', tenant: req.params.slug, user: data.userId, details: { roles: data.roles } });
    return reply.code(201).send({ data });
  });

  app.put<{ Params: Params; Body: Body }>('/api/tenants/:slug/members/:userId', hide, async (req) => {
    mustManage(o.actor(req), req.params.slug);
    const data = await tenants.setRoles(req.params.slug, req.params.userId, req.body?.roles);
    o.identity.audit?.recordFor(req, o.actor(req), { kind: 'member.roles_changed', tenant: req.params.slug, user: data.userId, details: { roles: data.roles } });
    return { data };
  });

  app.delete<{ Params: Params }>('/api/tenants/:slug/members/:userId', hide, async (req, reply) => {
    mustManage(o.actor(req), req.params.slug);
    await tenants.removeMember(req.params.slug, req.params.userId);
    o.identity.audit?.recordFor(req, o.actor(req), { kind: 'member.removed', tenant: req.params.slug, user: req.params.userId });
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/api/tenants/:slug/invitations', hide, async (req) => {
    mustManage(o.actor(req), req.params.slug);
    return { data: await tenants.listInvitations(req.params.slug) };
  });

  app.post<{ Params: Params; Body: Body }>('/api/tenants/:slug/invitations', hide, async (req, reply) => {
    const a = o.actor(req);
    mustManage(a, req.params.slug);
    // An invitation names who sent it: a signed-in admin, or for the root token "the administrator"
    // (which is how an invite-only app gets its first admin).
    const person = a.kind === 'user' ? await tenants.user(a.id) : null;
    const inviter = a.kind === 'user' ? { id: a.id, name: person?.name || person?.email || 'An admin' } : await tenants.administratorInviter();
    const data = await tenants.invite(req.params.slug, inviter, req.body?.email, req.body?.roles);
    o.identity.audit?.recordFor(req, a, { kind: 'invitation.sent', tenant: req.params.slug, details: { id: data.id, email: data.email, roles: data.roles } });
    return reply.code(201).send({ data });
  });

  app.delete<{ Params: Params }>('/api/tenants/:slug/invitations/:id', hide, async (req, reply) => {
    const a = o.actor(req);
    mustManage(a, req.params.slug);
    const data = await tenants.cancelInvitation(req.params.slug, req.params.id);
    o.identity.audit?.recordFor(req, a, { kind: 'invitation.canceled', tenant: req.params.slug, details: { id: data.id, email: data.email } });
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/api/tenants/:slug/invitations/:id', hide, async (req) => {
    const a = o.actor(req);
    const invitation = await tenants.invitation(req.params.slug, req.params.id);
    const recipient = a.kind === 'user' && invitation && (await tenants.user(a.id))?.email === invitation.email;
    if (!invitation || !(recipient || managesMembers(a, req.params.slug))) {
      if (a.kind === 'anonymous') throw new DataError('unauthenticated', 'Sign in (or sign up) with the invited email address to see this invitation');
      throw notFound(`No invitation "${req.params.id}" for you in "${req.params.slug}"`);
    }
    return { data: { ...invitation, accept: { method: 'POST', url: '/api/auth/organization/accept-invitation', body: { invitationId: invitation.id } } } };
  });
}
