// Which tenant admin pages the signed-in caller may use, by the rules the server applies: the root
// token manages everything; members holding the spec role "admin" in a tenant manage its people and
// read its audit log (managesMembers on the server); API keys and webhooks are the root token's.
import { rolesIn, type Me } from '../session.tsx';

export const ADMIN_PAGES = [
  ['members', 'Members'],
  ['api-keys', 'API keys'],
  ['webhooks', 'Webhooks'],
  ['audit', 'Audit log'],
] as const;

export type AdminPage = (typeof ADMIN_PAGES)[number][0];

/** The spec role whose holders manage a tenant's people (MANAGER_ROLE on the server). */
export const MANAGER_ROLE = 'admin';

export function adminPagesFor(me: Me, tenant: string): AdminPage[] {
  const roles = rolesIn(me, tenant);
  if (roles === 'all') return ADMIN_PAGES.map(([slug]) => slug);
  // Session memberships only: an API key or OAuth token stands for no tenant admin here.
  if (me.kind === 'user' && roles.includes(MANAGER_ROLE)) return ['members', 'audit'];
  return [];
}
