// What changes between two specs, as a typed list, each change classified by what it does to
// stored data and to API clients. A rename is never guessed from a drop and an add: the new spec
// says `renamedFrom`.
import type { Collection, Field, Spec } from './schema.ts';
import { decimalShape } from './values.ts';

export type ChangeClass = 'safe' | 'backfill' | 'breaking';

type Base = { class: ChangeClass; reason: string };
export type SpecChange = Base &
  (
    | { kind: 'collection.added'; collection: string }
    | { kind: 'collection.removed'; collection: string }
    | { kind: 'collection.renamed'; from: string; collection: string }
    | { kind: 'collection.changed'; collection: string; option: string; before: unknown; after: unknown }
    | { kind: 'field.added'; collection: string; field: string }
    | { kind: 'field.removed'; collection: string; field: string }
    | { kind: 'field.renamed'; collection: string; from: string; field: string }
    | { kind: 'field.type'; collection: string; field: string; before: string; after: string }
    | { kind: 'field.option'; collection: string; field: string; option: string; before: unknown; after: unknown }
    | { kind: 'relation.changed'; collection: string; field: string; before: { to: string; many: boolean }; after: { to: string; many: boolean } }
    | { kind: 'role.added' | 'role.removed' | 'role.changed'; role: string }
    | { kind: 'tenancy.changed'; before: string; after: string }
    | { kind: 'section.changed'; section: string }
  );

/** Type changes that keep every stored value valid and its JSON form unchanged. */
const WIDENINGS = new Set(['string>text', 'string>richtext', 'text>richtext', 'integer>number', 'email>string', 'url>string', 'slug>string', 'enum>string', 'email>text', 'url>text', 'slug>text', 'enum>text']);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Old name of each collection (or field) in the new spec: its renamedFrom when the old spec had it. */
function oldNameOf<T extends { renamedFrom?: string }>(name: string, def: T, oldNames: Record<string, unknown>, newNames: Record<string, unknown>): string {
  const r = def.renamedFrom;
  if (r !== undefined && r !== name && Object.hasOwn(oldNames, r) && !Object.hasOwn(newNames, r)) return r;
  return name;
}

export function diffSpecs(before: Spec, after: Spec): SpecChange[] {
  const changes: SpecChange[] = [];
  if (before.tenancy !== after.tenancy) {
    changes.push({ kind: 'tenancy.changed', before: before.tenancy, after: after.tenancy, class: 'breaking', reason: 'Changing tenancy changes every URL of the API and who owns each item; Kiln does not migrate it.' });
  }
  const renamedCollections = new Map<string, string>(); // old → new
  const matchedOld = new Set<string>();
  for (const [name, col] of Object.entries(after.collections)) {
    const old = oldNameOf(name, col, before.collections, after.collections);
    if (!Object.hasOwn(before.collections, old)) continue;
    matchedOld.add(old);
    if (old !== name) renamedCollections.set(old, name);
  }
  for (const name of Object.keys(before.collections)) {
    if (!matchedOld.has(name)) changes.push({ kind: 'collection.removed', collection: name, class: 'breaking', reason: `Deletes "${name}" and every item in it; its API endpoints go away.` });
  }
  for (const [name, col] of Object.entries(after.collections)) {
    const old = oldNameOf(name, col, before.collections, after.collections);
    if (!Object.hasOwn(before.collections, old)) {
      changes.push({ kind: 'collection.added', collection: name, class: 'safe', reason: `Adds the empty collection "${name}" and its endpoints.` });
      continue;
    }
    if (old !== name) {
      changes.push({ kind: 'collection.renamed', from: old, collection: name, class: 'breaking', reason: `Keeps every item, but the API path changes from /${old} to /${name}.` });
    }
    diffCollection(changes, name, before.collections[old], col, renamedCollections);
  }
  diffRoles(changes, before, after);
  if (!same(before.auth, after.auth)) {
    changes.push({ kind: 'section.changed', section: 'auth', class: 'safe', reason: 'Sign-in settings change; no data moves, and running servers apply them when they switch to this version.' });
  }
  for (const section of ['workflow', 'ai', 'webhooks'] as const) {
    if (!same(before[section], after[section])) changes.push({ kind: 'section.changed', section, class: 'safe', reason: `The "${section}" section is kept but not enforced by this version.` });
  }
  for (const key of ['name', 'title', 'description'] as const) {
    if (before[key] !== after[key]) changes.push({ kind: 'section.changed', section: key, class: 'safe', reason: `Only the app's ${key} changes.` });
  }
  return changes;
}

function workflowChange(before: Collection['workflow'], after: Collection['workflow']): Base {
  if (!before) return { class: 'breaking', reason: 'Readers without edit rights now see only published items; items are published when they enter the publish state.' };
  if (!after) return { class: 'breaking', reason: 'Drafts become visible to every reader: the published view is dropped.' };
  if (before.field !== after.field || before.publish !== after.publish) return { class: 'breaking', reason: 'What counts as published changes, so readers may see different items.' };
  return { class: 'safe', reason: 'Only who may take which transition changes.' };
}

function diffCollection(changes: SpecChange[], collection: string, before: Collection, after: Collection, renamed: Map<string, string>) {
  if (!same(before.workflow, after.workflow)) {
    changes.push({ kind: 'collection.changed', collection, option: 'workflow', before: before.workflow, after: after.workflow, ...workflowChange(before.workflow, after.workflow) });
  }
  for (const option of ['label', 'description', 'titleField', 'defaultSort'] as const) {
    if (before[option] !== after[option]) {
      changes.push({ kind: 'collection.changed', collection, option, before: before[option], after: after[option], class: 'safe', reason: option === 'defaultSort' ? 'Lists without a sort parameter come back in a different order.' : 'Presentation only.' });
    }
  }
  if (!same(before.ai, after.ai)) {
    changes.push({ kind: 'collection.changed', collection, option: 'ai', before: before.ai, after: after.ai, class: 'safe', reason: 'Changes which AI actions the collection offers; no stored data changes.' });
  }
  const matchedOld = new Set<string>();
  for (const [name, f] of Object.entries(after.fields)) {
    const old = oldNameOf(name, f, before.fields, after.fields);
    if (Object.hasOwn(before.fields, old)) matchedOld.add(old);
  }
  for (const name of Object.keys(before.fields)) {
    if (!matchedOld.has(name)) changes.push({ kind: 'field.removed', collection, field: name, class: 'breaking', reason: `Deletes the stored values of "${collection}.${name}"; clients stop receiving it.` });
  }
  for (const [name, f] of Object.entries(after.fields)) {
    const old = oldNameOf(name, f, before.fields, after.fields);
    if (!Object.hasOwn(before.fields, old)) {
      changes.push(addedField(collection, name, f));
      continue;
    }
    if (old !== name) changes.push({ kind: 'field.renamed', collection, from: old, field: name, class: 'breaking', reason: `Keeps every value, but clients read and write "${name}" instead of "${old}".` });
    diffField(changes, collection, name, before.fields[old], f, renamed);
  }
}

function addedField(collection: string, field: string, f: Field): SpecChange {
  const base = { kind: 'field.added' as const, collection, field };
  if (!f.required || (f.type === 'relation' && f.many)) return { ...base, class: 'safe', reason: `Adds the optional field "${field}"; existing items have no value.` };
  const hasDefault = 'default' in f && f.default !== undefined;
  return {
    ...base,
    class: 'backfill',
    reason: hasDefault
      ? `Adds the required field "${field}"; existing items get its default.`
      : `Adds the required field "${field}" without a default: existing items need a value (--backfill ${collection}.${field}=VALUE), and writers must now send it.`,
  };
}

function diffField(changes: SpecChange[], collection: string, field: string, before: Field, after: Field, renamed: Map<string, string>) {
  if (before.type !== after.type) {
    const widening = WIDENINGS.has(`${before.type}>${after.type}`);
    changes.push({
      kind: 'field.type',
      collection,
      field,
      before: before.type,
      after: after.type,
      class: widening ? 'safe' : 'breaking',
      reason: widening
        ? `Every ${before.type} value is a valid ${after.type} value and reads the same.`
        : `Stored values are converted from ${before.type} to ${after.type}; values that do not convert stop the migration, and clients see a different type.`,
    });
    return;
  }
  if (before.type === 'relation' && after.type === 'relation') {
    const b = { to: renamed.get(before.to) ?? before.to, many: before.many === true };
    const a = { to: after.to, many: after.many === true };
    if (b.to !== a.to || b.many !== a.many) {
      const reason =
        b.to !== a.to
          ? `Points at "${a.to}" instead of "${b.to}": existing links are dropped.`
          : a.many
            ? 'Becomes a list: each existing link is kept as a one-item list, and clients receive a list instead of an id.'
            : 'Becomes a single link: items with more than one link stop the migration, and clients receive an id instead of a list.';
      changes.push({ kind: 'relation.changed', collection, field, before: b, after: a, class: 'breaking', reason });
    }
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const option of keys) {
    if (option === 'type' || option === 'to' || option === 'many' || option === 'renamedFrom') continue;
    const b = (before as Record<string, unknown>)[option];
    const a = (after as Record<string, unknown>)[option];
    if (same(b, a)) continue;
    changes.push({ kind: 'field.option', collection, field, option, before: b, after: a, ...classifyOption(option, before, after, b, a) });
  }
}

function classifyOption(option: string, before: Field, after: Field, b: unknown, a: unknown): Base {
  const safe = (reason: string): Base => ({ class: 'safe', reason });
  const breaking = (reason: string): Base => ({ class: 'breaking', reason });
  switch (option) {
    case 'required':
      return a ? { class: 'backfill', reason: 'Existing items without a value need one (its default, or --backfill), and writers must now send it.' } : safe('Values become optional.');
    case 'unique':
      return a ? breaking('Existing duplicates stop the migration, and writes that repeat a value are refused.') : safe('Values may now repeat.');
    case 'min':
    case 'max': {
      const lower = option === 'min';
      if (a === undefined) return safe(`The ${option} limit is lifted.`);
      if (b !== undefined) {
        const widened = before.type === 'decimal' ? (lower ? Number(a) <= Number(b) : Number(a) >= Number(b)) : lower ? (a as string | number) <= (b as string | number) : (a as string | number) >= (b as string | number);
        if (widened) return safe(`The ${option} limit widens.`);
      }
      return breaking(`The ${option} limit narrows: existing values outside it stop the migration, and writes that were accepted are refused.`);
    }
    case 'values': {
      const removed = ((b as string[]) ?? []).filter((v) => !((a as string[]) ?? []).includes(v));
      return removed.length ? breaking(`Removes the allowed value${removed.length > 1 ? 's' : ''} ${removed.join(', ')}: items holding ${removed.length > 1 ? 'them' : 'it'} stop the migration.`) : safe('Adds allowed values.');
    }
    case 'multiple':
      return breaking(a ? 'Values become lists; clients receive a list instead of a string.' : 'Values become single; items with several values stop the migration.');
    case 'precision':
    case 'scale': {
      if (before.type !== 'decimal' || after.type !== 'decimal') return breaking('The stored number format changes.');
      const bs = decimalShape(before);
      const as = decimalShape(after);
      return as.scale >= bs.scale && as.precision - as.scale >= bs.precision - bs.scale ? safe('Decimals widen; every value still fits.') : breaking('Decimals narrow: values that no longer fit stop the migration.');
    }
    case 'accept':
    case 'maxSize':
      return a === undefined ? safe('The upload limit is lifted.') : breaking('Uploads that were accepted may be refused.');
    default:
      return safe(option === 'default' ? 'New items get a different default; existing items keep their values.' : 'No stored value changes.');
  }
}

function diffRoles(changes: SpecChange[], before: Spec, after: Spec) {
  const b = before.roles ?? {};
  const a = after.roles ?? {};
  for (const role of Object.keys(b)) if (!Object.hasOwn(a, role)) changes.push({ kind: 'role.removed', role, class: 'breaking', reason: `Callers with the role "${role}" lose what it granted.` });
  for (const [role, def] of Object.entries(a)) {
    if (!Object.hasOwn(b, role)) {
      changes.push({ kind: 'role.added', role, class: 'safe', reason: `Adds the role "${role}".` });
      continue;
    }
    if (same(b[role], def)) continue;
    const lost = Object.entries(b[role].can ?? {}).some(([c, acts]) => acts.some((x) => !(def.can?.[c] ?? []).includes(x)));
    changes.push({ kind: 'role.changed', role, class: lost ? 'breaking' : 'safe', reason: lost ? `The role "${role}" loses access it had.` : `The role "${role}" gains access or only its description changes.` });
  }
}

export function worstClass(changes: SpecChange[]): ChangeClass {
  if (changes.some((c) => c.class === 'breaking')) return 'breaking';
  if (changes.some((c) => c.class === 'backfill')) return 'backfill';
  return 'safe';
}
