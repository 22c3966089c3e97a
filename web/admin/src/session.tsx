// Who is signed in (GET /api/me), what app this is (GET /api/spec) and which tenants they may work
// in: memberships for a person, every tenant for the root token.
import { createContext, useContext } from 'react';
import type { AppSpec } from './spec.ts';

export type Me = { kind: 'root' | 'anonymous' | 'user'; id?: string; roles?: string[]; memberships?: Record<string, string[]> };
export type Tenant = { slug: string; name: string };

export type Session = {
  me: Me;
  spec: AppSpec;
  tenants: Tenant[];
  signOut: () => Promise<void>;
  /** Reads who is signed in and the spec again, staying on the page (after the builder changes the app). */
  refresh: () => Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** The roles the signed-in caller holds in a tenant; the root token may do anything. */
export function rolesIn(me: Me, tenant: string): string[] | 'all' {
  if (me.kind === 'root') return 'all';
  if (me.kind !== 'user') return ['public'];
  if (me.memberships) return ['public', ...(me.memberships[tenant] ?? [])];
  return ['public', ...(me.roles ?? [])];
}

export function mayIn(s: Session, tenant: string, collection: string, action: 'read' | 'create' | 'update' | 'delete'): boolean {
  const roles = rolesIn(s.me, tenant);
  if (roles === 'all') return true;
  return roles.some((r) => {
    const can = s.spec.roles[r]?.can;
    return Boolean(can && (can[collection]?.includes(action) || can['*']?.includes(action)));
  });
}
