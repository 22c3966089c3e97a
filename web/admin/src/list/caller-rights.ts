// What the signed-in caller may see and do in a list, from the spec's roles: the server enforces all
// of it, this only keeps the UI from offering what would be refused.
import { mayIn, rolesIn, type Session } from '../session.tsx';
import type { Transition } from '../spec.ts';

type FieldRules = Record<string, { hidden?: string[] }>;

/** Fields no role of the caller that may read the collection is allowed to see (as the server computes it). */
export function hiddenFields(s: Session, tenant: string, collection: string): ReadonlySet<string> {
  const roles = rolesIn(s.me, tenant);
  if (roles === 'all') return new Set();
  const readers = roles.filter((r) => {
    const can = s.spec.roles[r]?.can;
    return Boolean(can && (can[collection]?.includes('read') || can['*']?.includes('read')));
  });
  const lists = readers.map((r) => (s.spec.roles[r] as { fields?: FieldRules } | undefined)?.fields?.[collection]?.hidden);
  if (lists.length === 0 || lists.some((l) => !l)) return new Set();
  return new Set(lists[0]!.filter((name) => lists.every((l) => l!.includes(name))));
}

/**
 * Fields a list may not ask about: the hidden ones, and relations into collections the caller may not
 * read (the server refuses to expand or filter along those).
 */
export function fieldsOutOfReach(s: Session, tenant: string, collection: string): ReadonlySet<string> {
  const out = new Set(hiddenFields(s, tenant, collection));
  for (const [name, f] of Object.entries(s.spec.collections[collection]?.fields ?? {})) {
    if (f.type === 'relation' && f.to && !mayIn(s, tenant, f.to, 'read')) out.add(name);
  }
  return out;
}

/** The workflow transitions any of the caller's roles may take in this collection (the workflow alone governs them). */
export function transitionsFor(s: Session, tenant: string, collection: string): Transition[] {
  const w = s.spec.collections[collection]?.workflow;
  if (!w) return [];
  const roles = rolesIn(s.me, tenant);
  return w.transitions.filter((t) => roles === 'all' || t.roles.some((r) => roles.includes(r)));
}

export function mayDelete(s: Session, tenant: string, collection: string): boolean {
  return mayIn(s, tenant, collection, 'delete');
}
