// Who is asking, and what the spec's roles let them do. The store calls `can` on every read and
// write; route handlers never decide access themselves.
import type { Action, Spec } from '../spec/schema.ts';

export type Actor =
  | { kind: 'root' }
  | { kind: 'anonymous' }
  /** `tenant`: the one tenant (slug) this caller may act in, as for an API key; absent for a person's session. */
  | { kind: 'user'; id: string; roles: readonly string[]; tenant?: string };

/** The role every caller has, signed in or not. */
export const PUBLIC_ROLE = 'public';

export function rolesOf(actor: Actor): readonly string[] {
  if (actor.kind === 'user') return [PUBLIC_ROLE, ...actor.roles];
  return [PUBLIC_ROLE];
}

export function can(spec: Spec, actor: Actor, action: Action, collection: string): boolean {
  if (actor.kind === 'root') return true;
  for (const role of rolesOf(actor)) {
    const grants = spec.roles?.[role]?.can;
    if (!grants) continue;
    if (grants[collection]?.includes(action) || grants['*']?.includes(action)) return true;
  }
  return false;
}

/** A caller bound to one tenant (an API key) may act in that tenant only. */
export function actsIn(actor: Actor, tenant: string): boolean {
  return actor.kind !== 'user' || actor.tenant === undefined || actor.tenant === tenant;
}
