// Tenants are organizations. Kiln's tenants table stays the source: each tenant has one better-auth
// organization with the same id and slug, created the first time its people are managed (tenants
// are never renamed or removed, so there is nothing else to keep in step). A member holds one or
// more of the spec's role names in that tenant, stored comma-separated in the member's role column,
// as the organization plugin stores several roles.
//
// Who manages a tenant's people: the root token, and members holding the spec role named "admin"
// in that tenant (MANAGER_ROLE). Root adds existing accounts directly; admins invite by email, and
// the invited person accepts after signing in (better-auth's accept-invitation checks that the
// verified address is the invited one).
//
// The roles of a person are read once per session check at most every few seconds (a short
// in-process cache, forgotten at once when this process changes them), so content requests do not
// wait on a membership query each time.
import type { Actor } from '../../data/access.ts';
import type { StorageDriver } from '../../data/driver.ts';
import { DataError, notFound } from '../../data/errors.ts';
import { SYSTEM_TABLES } from '../../data/model.ts';
import type { Spec } from '../../spec/schema.ts';
import type { MailOutbox } from '../mail/outbox.ts';
import { invitationMail } from '../mail/templates.ts';
import { AUTH_TABLES } from './auth-schema.ts';
import type { Auth } from './identity.ts';

export const MANAGER_ROLE = 'admin';
const INVITATION_SECONDS = 7 * 86400;
const ADMINISTRATOR_EMAIL = 'administrator@kiln.invalid';
const ADMINISTRATOR_NAME = 'The administrator';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Adapter = Awaited<Auth['$context']>['adapter'];
export type Memberships = Record<string, string[]>;
export type Organization = { id: string; slug: string; name: string };
export type MemberView = { userId: string; email: string; name: string; roles: string[]; createdAt: string };
export type InvitationView = { id: string; tenant: string; email: string; roles: string[]; status: string; expiresAt: string; inviterId: string };

type MemberRow = { id: string; userId: string; organizationId: string; role: string; createdAt: Date };
type UserRow = { id: string; email: string; name: string; emailVerified: boolean };
type InvitationRow = { id: string; organizationId: string; email: string; role: string; status: string; expiresAt: Date; inviterId: string };

export const parseRoles = (role: string) => role.split(',').map((r) => r.trim()).filter(Boolean);
const iso = (d: Date | string) => new Date(d).toISOString();

/** True for root and for members holding MANAGER_ROLE in the tenant. */
export function managesMembers(actor: Actor, tenant: string): boolean {
  if (actor.kind === 'root') return true;
  return actor.kind === 'user' && actor.tenant === undefined && Boolean(actor.memberships?.[tenant]?.includes(MANAGER_ROLE));
}

export type TenantOrganizationsSetup = {
  driver: StorageDriver;
  spec: Spec;
  adapter: () => Promise<Adapter>;
  outbox: MailOutbox;
  publicUrl: () => string;
  appName: string;
  /** How long memberships read for a session may be reused (0: read every time). */
  cacheSeconds: number;
};

export class TenantOrganizations {
  readonly #s: TenantOrganizationsSetup;
  readonly #cache = new Map<string, { at: number; value: Memberships }>();

  constructor(setup: TenantOrganizationsSetup) {
    this.#s = setup;
  }

  /** The spec roles a role list may hold: each must be a role of the spec, and "public" goes without saying. */
  checkRoles(roles: unknown, field = 'roles'): string[] {
    const known = Object.keys(this.#s.spec.roles ?? {}).filter((r) => r !== 'public');
    const bad = (detail: string) => new DataError('invalid_body', `Invalid "${field}"`, [{ field, detail }]);
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string')) throw bad(`must be a non-empty list of role names: ${known.join(', ') || '(the spec defines no roles)'}`);
    for (const [i, r] of (roles as string[]).entries()) {
      if (!known.includes(r)) throw new DataError('invalid_body', `Invalid "${field}"`, [{ field: `${field}.${i}`, detail: `"${r}" is not a role of this app; roles are ${known.join(', ') || '(none)'}` }]);
    }
    return [...new Set(roles as string[])];
  }

  /** Tenant slug → the roles the person holds there. */
  async membershipsOf(userId: string): Promise<Memberships> {
    const ttl = this.#s.cacheSeconds * 1000;
    const hit = this.#cache.get(userId);
    if (hit && Date.now() - hit.at < ttl) return hit.value;
    const rows = await this.#s.driver.db
      .selectFrom(`${AUTH_TABLES.member} as m`)
      .innerJoin(`${AUTH_TABLES.organization} as o`, 'o.id', 'm.organizationId')
      .select(['o.slug as slug', 'm.role as role'])
      .where('m.userId', '=', userId)
      .execute();
    const known = new Set(Object.keys(this.#s.spec.roles ?? {}));
    const value: Memberships = {};
    for (const r of rows) value[r.slug as string] = parseRoles(r.role as string).filter((x) => known.has(x));
    if (ttl > 0) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(userId, { at: Date.now(), value });
    }
    return value;
  }

  /** Drops a cached membership read after a change. */
  forget(userId: string): void {
    this.#cache.delete(userId);
  }

  /** The tenant's organization, created on first use with the tenant's own id, slug and name. */
  async organizationOf(slug: string): Promise<Organization> {
    const adapter = await this.#s.adapter();
    const found = await adapter.findOne<Organization>({ model: 'organization', where: [{ field: 'slug', value: slug }] });
    if (found) return found;
    const tenant = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await this.#s.driver.db.selectFrom(SYSTEM_TABLES.tenants).select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst() : undefined;
    if (!tenant) throw notFound(`No tenant "${slug}"`);
    try {
      return await adapter.create<Record<string, unknown>, Organization>({ model: 'organization', data: { id: tenant.id, slug: tenant.slug, name: tenant.name, createdAt: new Date() }, forceAllowId: true });
    } catch (e) {
      // Another request or process created it first.
      const again = await adapter.findOne<Organization>({ model: 'organization', where: [{ field: 'slug', value: slug }] });
      if (again) return again;
      throw e;
    }
  }

  async listMembers(slug: string): Promise<MemberView[]> {
    const org = await this.organizationOf(slug);
    const adapter = await this.#s.adapter();
    const members = await adapter.findMany<MemberRow>({ model: 'member', where: [{ field: 'organizationId', value: org.id }], sortBy: { field: 'createdAt', direction: 'asc' } });
    if (members.length === 0) return [];
    const users = await adapter.findMany<UserRow>({ model: 'user', where: [{ field: 'id', value: members.map((m) => m.userId), operator: 'in' }] });
    const byId = new Map(users.map((u) => [u.id, u]));
    return members.map((m) => ({ userId: m.userId, email: byId.get(m.userId)?.email ?? '', name: byId.get(m.userId)?.name ?? '', roles: parseRoles(m.role), createdAt: iso(m.createdAt) }));
  }

  /** Makes an existing account a member (root only: it needs no consent from the person). */
  async addMember(slug: string, email: unknown, roles: unknown): Promise<MemberView> {
    const checked = this.checkRoles(roles);
    const address = this.#email(email);
    const org = await this.organizationOf(slug);
    const adapter = await this.#s.adapter();
    const user = await adapter.findOne<UserRow>({ model: 'user', where: [{ field: 'email', value: address }] });
    if (!user) throw new DataError('invalid_body', 'No account has this email address; invite the person instead', [{ field: 'email', detail: 'has no account' }]);
    if (await this.#member(org.id, user.id)) throw new DataError('conflict', `${address} is already a member of "${slug}"`, [{ field: 'email', detail: 'is already a member' }]);
    const m = await adapter.create<Record<string, unknown>, MemberRow>({ model: 'member', data: { organizationId: org.id, userId: user.id, role: checked.join(','), createdAt: new Date() } });
    this.forget(user.id);
    return { userId: user.id, email: user.email, name: user.name, roles: checked, createdAt: iso(m.createdAt) };
  }

  async setRoles(slug: string, userId: string, roles: unknown): Promise<MemberView> {
    const checked = this.checkRoles(roles);
    const org = await this.organizationOf(slug);
    const adapter = await this.#s.adapter();
    const m = await this.#member(org.id, userId);
    if (!m) throw notFound(`No member "${userId}" in "${slug}"`);
    await adapter.update({ model: 'member', where: [{ field: 'id', value: m.id }], update: { role: checked.join(',') } });
    this.forget(userId);
    const user = await adapter.findOne<UserRow>({ model: 'user', where: [{ field: 'id', value: userId }] });
    return { userId, email: user?.email ?? '', name: user?.name ?? '', roles: checked, createdAt: iso(m.createdAt) };
  }

  async removeMember(slug: string, userId: string): Promise<void> {
    const org = await this.organizationOf(slug);
    const m = await this.#member(org.id, userId);
    if (!m) throw notFound(`No member "${userId}" in "${slug}"`);
    await (await this.#s.adapter()).delete({ model: 'member', where: [{ field: 'id', value: m.id }] });
    this.forget(userId);
  }

  /** Invites an address; a pending invitation to the same address is replaced (and mailed anew). */
  async invite(slug: string, inviter: { id: string; name: string }, email: unknown, roles: unknown): Promise<InvitationView> {
    const checked = this.checkRoles(roles);
    const address = this.#email(email);
    const org = await this.organizationOf(slug);
    const adapter = await this.#s.adapter();
    const existing = await adapter.findOne<UserRow>({ model: 'user', where: [{ field: 'email', value: address }] });
    if (existing && (await this.#member(org.id, existing.id))) throw new DataError('conflict', `${address} is already a member of "${slug}"`, [{ field: 'email', detail: 'is already a member' }]);
    await adapter.updateMany({ model: 'invitation', where: [{ field: 'organizationId', value: org.id }, { field: 'email', value: address }, { field: 'status', value: 'pending' }], update: { status: 'canceled' } });
    const row = await adapter.create<Record<string, unknown>, InvitationRow>({
      model: 'invitation',
      data: { organizationId: org.id, email: address, role: checked.join(','), status: 'pending', inviterId: inviter.id, expiresAt: new Date(Date.now() + INVITATION_SECONDS * 1000), createdAt: new Date() },
    });
    const link = `${this.#s.publicUrl()}/api/tenants/${encodeURIComponent(slug)}/invitations/${row.id}`;
    await this.#s.outbox.enqueue(invitationMail(this.#s.appName, address, { tenant: org.name, inviter: inviter.name, roles: checked, url: link }));
    return this.#view(slug, row);
  }

  async listInvitations(slug: string): Promise<InvitationView[]> {
    const org = await this.organizationOf(slug);
    const rows = await (await this.#s.adapter()).findMany<InvitationRow>({ model: 'invitation', where: [{ field: 'organizationId', value: org.id }, { field: 'status', value: 'pending' }] });
    return rows.filter((r) => new Date(r.expiresAt) > new Date()).map((r) => this.#view(slug, r));
  }

  /** Cancels a pending invitation of the tenant: its link then no longer lets anyone join. */
  async cancelInvitation(slug: string, id: string): Promise<InvitationView> {
    const found = await this.invitation(slug, id);
    if (!found || found.status !== 'pending') throw notFound(`No pending invitation "${id}" in "${slug}"`);
    await (await this.#s.adapter()).update({ model: 'invitation', where: [{ field: 'id', value: found.id }], update: { status: 'canceled' } });
    return { ...found, status: 'canceled' };
  }

  async invitation(slug: string, id: string): Promise<InvitationView | undefined> {
    const org = await this.organizationOf(slug);
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await (await this.#s.adapter()).findOne<InvitationRow>({ model: 'invitation', where: [{ field: 'id', value: id }] }) : null;
    return row && row.organizationId === org.id ? this.#view(slug, row) : undefined;
  }

  /**
   * The inviter named on invitations the root token sends: better-auth requires a user there, and
   * root is not one. This account has no password or provider account and an address under
   * ".invalid" (RFC 2606), which no mail reaches and is never verified, so nobody can sign in as it
   * or link to it. It lets an invite-only app invite its first admin.
   */
  async administratorInviter(): Promise<{ id: string; name: string }> {
    const adapter = await this.#s.adapter();
    const found = await adapter.findOne<UserRow>({ model: 'user', where: [{ field: 'email', value: ADMINISTRATOR_EMAIL }] });
    if (found) return { id: found.id, name: found.name };
    const now = new Date();
    const made = await adapter.create<Record<string, unknown>, UserRow>({ model: 'user', data: { email: ADMINISTRATOR_EMAIL, name: ADMINISTRATOR_NAME, emailVerified: false, createdAt: now, updatedAt: now } });
    return { id: made.id, name: made.name };
  }

  async user(id: string): Promise<{ id: string; email: string; name: string } | null> {
    return (await this.#s.adapter()).findOne<UserRow>({ model: 'user', where: [{ field: 'id', value: id }] });
  }

  #view(slug: string, r: InvitationRow): InvitationView {
    return { id: r.id, tenant: slug, email: r.email, roles: parseRoles(r.role), status: r.status, expiresAt: iso(r.expiresAt), inviterId: r.inviterId };
  }

  async #member(organizationId: string, userId: string): Promise<MemberRow | null> {
    return (await this.#s.adapter()).findOne<MemberRow>({ model: 'member', where: [{ field: 'organizationId', value: organizationId }, { field: 'userId', value: userId }] });
  }

  #email(email: unknown): string {
    if (typeof email !== 'string' || email.length > 320 || !EMAIL.test(email.trim())) throw new DataError('invalid_body', 'Invalid "email"', [{ field: 'email', detail: 'must be an email address' }]);
    return email.trim().toLowerCase();
  }
}
