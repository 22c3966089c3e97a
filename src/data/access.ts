// Who is asking, and what the spec's roles let them do. The store calls `can` and `accessOf` on
// every read and write; route handlers never decide access themselves.
//
// Roles grant actions per collection (`can`), narrowed by row rules (`where`: "own" items only, the
// "published" view only) and field rules (`fields`: hidden, readOnly). A caller holding several
// roles gets their union: a grant without a rule from any role wins, and a field one role may see
// is visible. With `memberships`, the roles that apply in a tenant are that tenant's (plus public).
import type { Action, Spec } from '../spec/schema.ts';

export type Actor =
  | { kind: 'root' }
  | { kind: 'anonymous' }
  /**
   * `tenant`: the one tenant (slug) this caller may act in, as for an API key; absent for a person's session.
   * `memberships`: tenant slug → the roles this person holds there. When present, `roles` do not
   * apply inside tenants: a tenant without a membership grants only what `public` may do.
   */
  | { kind: 'user'; id: string; roles: readonly string[]; tenant?: string; memberships?: Readonly<Record<string, readonly string[]>> };

/** The role every caller has, signed in or not. */
export const PUBLIC_ROLE = 'public';

/**
 * The roles that apply to the actor in a tenant. Without a tenant (early, coarse checks before the
 * store runs) a person with memberships holds the roles of all of them; the store always passes one.
 */
export function rolesOf(actor: Actor, tenant?: string): readonly string[] {
  if (actor.kind !== 'user') return [PUBLIC_ROLE];
  const m = actor.memberships;
  if (!m) return [PUBLIC_ROLE, ...actor.roles];
  if (tenant !== undefined) return [PUBLIC_ROLE, ...(Object.hasOwn(m, tenant) ? m[tenant] : [])];
  return [PUBLIC_ROLE, ...actor.roles, ...Object.values(m).flat()];
}

/** Which items of a collection an action reaches: all, those the caller created, or the published view. */
export type RowScope = 'all' | 'own' | 'published';

export type Access = {
  /** null when no held role grants the action; otherwise the widest row scope any of them grants. */
  rows(action: Action, collection: string): RowScope | null;
  /** Fields no held role that may read the collection is allowed to see. */
  hidden(collection: string): ReadonlySet<string>;
  /** Fields no held role that may take the action is allowed to write. */
  readOnly(action: 'create' | 'update', collection: string): ReadonlySet<string>;
};

const FULL: Access = { rows: () => 'all', hidden: () => new Set(), readOnly: () => new Set() };

function granted(spec: Spec, role: string, action: Action, collection: string): boolean {
  const grants = spec.roles?.[role]?.can;
  return Boolean(grants && (grants[collection]?.includes(action) || grants['*']?.includes(action)));
}

function ruleOf(spec: Spec, role: string, action: Action, collection: string): RowScope {
  const where = spec.roles?.[role]?.where;
  const rule = (where?.[collection] as Partial<Record<Action, RowScope>> | undefined)?.[action] ?? (where?.['*'] as Partial<Record<Action, RowScope>> | undefined)?.[action];
  // "published" through "*" means nothing for a collection whose every saved item is published.
  if (rule === 'published' && !spec.collections[collection]?.workflow) return 'all';
  return rule ?? 'all';
}

function intersect(lists: (readonly string[] | undefined)[]): ReadonlySet<string> {
  if (lists.length === 0) return new Set();
  let out = new Set(lists[0] ?? []);
  for (const l of lists.slice(1)) out = new Set((l ?? []).filter((x) => out.has(x)));
  return out;
}

function build(spec: Spec, roles: readonly string[]): Access {
  const cache = new Map<string, unknown>();
  const memo = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  const holding = (action: Action, collection: string) => roles.filter((r) => granted(spec, r, action, collection));
  return {
    rows: (action, collection) =>
      memo(`r:${action}:${collection}`, () => {
        const rules = holding(action, collection).map((r) => ruleOf(spec, r, action, collection));
        if (rules.length === 0) return null;
        if (rules.includes('all')) return 'all';
        // Own drafts and everyone's published items live in different views; the published view is
        // the wider of the two, so a mix reads that one.
        return rules.includes('published') ? 'published' : 'own';
      }),
    hidden: (collection) => memo(`h:${collection}`, () => intersect(holding('read', collection).map((r) => spec.roles?.[r]?.fields?.[collection]?.hidden))),
    readOnly: (action, collection) => memo(`w:${action}:${collection}`, () => intersect(holding(action, collection).map((r) => spec.roles?.[r]?.fields?.[collection]?.readOnly))),
  };
}

// Resolved rules per spec and set of roles: a request pays for a map lookup, not for walking the spec.
const resolved = new WeakMap<Spec, Map<string, Access>>();
// And per caller object, for callers that come back as the same object (a cached access token or
// API key): the store asks several times a request, and this skips even building the roles key.
const perActor = new WeakMap<Actor, { spec: Spec; byTenant: Map<string | undefined, Access> }>();

export function accessOf(spec: Spec, actor: Actor, tenant?: string): Access {
  if (actor.kind === 'root') return FULL;
  let mine = perActor.get(actor);
  if (!mine || mine.spec !== spec) perActor.set(actor, (mine = { spec, byTenant: new Map() }));
  let access = mine.byTenant.get(tenant);
  if (!access) mine.byTenant.set(tenant, (access = resolve(spec, actor, tenant)));
  return access;
}

function resolve(spec: Spec, actor: Actor, tenant?: string): Access {
  const roles = rolesOf(actor, tenant);
  let bySpec = resolved.get(spec);
  if (!bySpec) resolved.set(spec, (bySpec = new Map()));
  const key = roles.join('\u0000');
  let access = bySpec.get(key);
  if (!access) {
    if (bySpec.size > 1000) bySpec.clear();
    bySpec.set(key, (access = build(spec, roles)));
  }
  return access;
}

export function can(spec: Spec, actor: Actor, action: Action, collection: string, tenant?: string): boolean {
  return accessOf(spec, actor, tenant).rows(action, collection) !== null;
}

/** The id that `createdBy` records for the actor: a person's or API key's id; null for root and anonymous callers. */
export function ownerId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.id : null;
}

/** A caller bound to one tenant (an API key) may act in that tenant only. */
export function actsIn(actor: Actor, tenant: string): boolean {
  return actor.kind !== 'user' || actor.tenant === undefined || actor.tenant === tenant;
}
