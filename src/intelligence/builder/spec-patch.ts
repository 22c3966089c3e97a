// A typed spec patch: the only thing an editor (offline or a model) hands back for a change to an
// app. Each operation is small and named, so the builder can show what it understood, the guard
// can judge each part, and renames carry `renamedFrom` so the migration keeps the data.
import { z } from 'zod';
import { authSchema, collectionSchema, fieldSchema, roleSchema, workflowSchema, ACTIONS, IDENTITY_PROVIDER_TYPES, SIGN_IN_METHODS, type Spec, type Field, type Collection } from '../../spec/schema.ts';
import { checkSpec } from '../../spec/check.ts';

const name = z.string().min(1).max(30);
const actions = z.array(z.enum(ACTIONS)).min(1);

export const patchOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('addCollection'), collection: name, definition: collectionSchema }).strict().describe('Adds a new collection.'),
  z.object({ op: z.literal('removeCollection'), collection: name }).strict().describe('Deletes a collection and its content; grants on it go too.'),
  z.object({ op: z.literal('renameCollection'), collection: name, to: name }).strict().describe('Renames a collection, keeping its content; relations and grants follow.'),
  z
    .object({ op: z.literal('setCollection'), collection: name, label: z.string().max(120).optional(), description: z.string().max(2000).optional(), defaultSort: z.string().optional() })
    .strict()
    .describe('Sets presentation options of a collection.'),
  z.object({ op: z.literal('addField'), collection: name, field: name, definition: fieldSchema }).strict().describe('Adds a field to a collection.'),
  z.object({ op: z.literal('changeField'), collection: name, field: name, definition: fieldSchema }).strict().describe('Replaces the whole definition of an existing field.'),
  z.object({ op: z.literal('removeField'), collection: name, field: name }).strict().describe('Deletes a field and its stored values.'),
  z.object({ op: z.literal('renameField'), collection: name, field: name, to: name }).strict().describe('Renames a field, keeping its values.'),
  z.object({ op: z.literal('setTitleField'), collection: name, field: name }).strict().describe('Names the field that titles items in lists.'),
  z.object({ op: z.literal('addRole'), role: name, definition: roleSchema }).strict().describe('Adds a role.'),
  z.object({ op: z.literal('removeRole'), role: name }).strict().describe('Removes a role; workflow transitions stop naming it.'),
  z.object({ op: z.literal('grant'), role: name, collection: z.string().min(1).max(30), actions }).strict().describe('Lets a role take these actions on a collection.'),
  z.object({ op: z.literal('revoke'), role: name, collection: z.string().min(1).max(30), actions }).strict().describe('Takes these actions on a collection away from a role.'),
  z.object({ op: z.literal('setWorkflow'), collection: name, workflow: workflowSchema.nullable() }).strict().describe('Sets (or, with null, removes) the draft/publish workflow of a collection.'),
  z.object({ op: z.literal('setTenancy'), tenancy: z.enum(['single', 'multi']) }).strict(),
  z.object({ op: z.literal('addSignInMethod'), method: z.enum(SIGN_IN_METHODS) }).strict(),
  z.object({ op: z.literal('removeSignInMethod'), method: z.enum(SIGN_IN_METHODS) }).strict(),
  z
    .object({ op: z.literal('addIdentityProvider'), id: name, type: z.enum(IDENTITY_PROVIDER_TYPES), label: z.string().max(80).optional(), issuer: z.string().optional() })
    .strict()
    .describe('Adds social sign-in or SSO; its credentials come from the environment.'),
  z.object({ op: z.literal('removeIdentityProvider'), id: name }).strict(),
  z.object({ op: z.literal('setMfa'), policy: z.enum(['off', 'optional', 'required']), roles: z.array(z.string()).optional() }).strict(),
  z.object({ op: z.literal('setAuth'), auth: authSchema }).strict().describe('Replaces the whole auth section.'),
  z.object({ op: z.literal('setApp'), title: z.string().max(200).optional(), description: z.string().max(5000).optional() }).strict(),
]);

export const specPatchSchema = z.object({ ops: z.array(patchOpSchema).max(200).describe('Applied in order.') }).strict();

export type PatchOp = z.infer<typeof patchOpSchema>;
export type SpecPatch = z.infer<typeof specPatchSchema>;
export type PatchProblem = { op: number; message: string };
/** `op` is the index of the operation at fault, or -1 for a problem of the patched spec as a whole. */
export type PatchResult = { ok: true; spec: Spec } | { ok: false; problems: PatchProblem[] };

export function specPatchJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(specPatchSchema, { target: 'draft-2020-12', io: 'input' }), title: 'Kiln spec patch' };
}

class OpError extends Error {}
const fail = (message: string): never => {
  throw new OpError(message);
};

/** Applies a patch to a copy of the spec; the result passes checkSpec or the problems say why not. */
export function applyPatch(spec: Spec, patch: SpecPatch): PatchResult {
  const next = structuredClone(spec);
  const problems: PatchProblem[] = [];
  // Which field (or collection) each renamed one was called in `spec`, so a second rename in the
  // same patch still points the migration at the stored name.
  const origin = new Renames(spec);
  patch.ops.forEach((op, i) => {
    try {
      applyOp(next, op, origin);
    } catch (e) {
      if (!(e instanceof OpError)) throw e;
      problems.push({ op: i, message: e.message });
    }
  });
  if (problems.length) return { ok: false, problems };
  const checked = checkSpec(next);
  if (!checked.ok) return { ok: false, problems: checked.errors.map((e) => ({ op: -1, message: `${e.path}: ${e.message} (${e.fix})` })) };
  return { ok: true, spec: checked.spec };
}

class Renames {
  readonly #original: Spec;
  readonly #collections = new Map<string, string | null>(); // current name → name in the original spec (null: new)
  constructor(original: Spec) {
    this.#original = original;
  }
  collectionOrigin(current: string): string | null {
    if (this.#collections.has(current)) return this.#collections.get(current)!;
    return Object.hasOwn(this.#original.collections, current) ? current : null;
  }
  movedCollection(from: string, to: string) {
    this.#collections.set(to, this.collectionOrigin(from));
    this.#collections.set(from, null);
  }
  fieldOrigin(collection: string, current: string, def: Field): string | null {
    const col = this.collectionOrigin(collection);
    if (col === null) return null;
    const fields = this.#original.collections[col].fields;
    // A rename earlier in this patch left renamedFrom pointing at the stored name.
    if (def.renamedFrom !== undefined && Object.hasOwn(fields, def.renamedFrom) && this.#renamedHere.has(`${collection}.${current}`)) return def.renamedFrom;
    return Object.hasOwn(fields, current) ? current : null;
  }
  readonly #renamedHere = new Set<string>();
  markField(collection: string, field: string) {
    this.#renamedHere.add(`${collection}.${field}`);
  }
}

function collectionOf(spec: Spec, name: string) {
  const col = spec.collections[name];
  if (!col || !Object.hasOwn(spec.collections, name)) fail(`there is no collection "${name}"; collections are ${Object.keys(spec.collections).join(', ') || '(none)'}`);
  return col;
}

function fieldOf(spec: Spec, collection: string, field: string): Field {
  const col = collectionOf(spec, collection);
  if (!Object.hasOwn(col.fields, field)) fail(`"${collection}" has no field "${field}"; its fields are ${Object.keys(col.fields).join(', ')}`);
  return col.fields[field];
}

function applyOp(spec: Spec, op: PatchOp, renames: Renames): void {
  switch (op.op) {
    case 'addCollection':
      if (Object.hasOwn(spec.collections, op.collection)) fail(`a collection "${op.collection}" already exists`);
      spec.collections[op.collection] = structuredClone(op.definition);
      return;
    case 'removeCollection': {
      collectionOf(spec, op.collection);
      for (const [cname, col] of Object.entries(spec.collections)) {
        if (cname === op.collection) continue;
        for (const [fname, f] of Object.entries(col.fields)) {
          if (f.type === 'relation' && f.to === op.collection) fail(`"${cname}.${fname}" points at "${op.collection}"; remove or change that field first`);
        }
      }
      delete spec.collections[op.collection];
      for (const role of Object.values(spec.roles ?? {})) if (role.can) delete role.can[op.collection];
      return;
    }
    case 'renameCollection': {
      const col = collectionOf(spec, op.collection);
      if (op.to === op.collection) return;
      if (Object.hasOwn(spec.collections, op.to)) fail(`a collection "${op.to}" already exists`);
      const origin = renames.collectionOrigin(op.collection);
      renames.movedCollection(op.collection, op.to);
      const moved = { ...col };
      if (origin !== null && origin !== op.to) moved.renamedFrom = origin;
      else delete moved.renamedFrom;
      spec.collections = renameKey(spec.collections, op.collection, op.to, moved);
      for (const c of Object.values(spec.collections)) {
        for (const f of Object.values(c.fields)) if (f.type === 'relation' && f.to === op.collection) f.to = op.to;
      }
      for (const role of Object.values(spec.roles ?? {})) if (role.can && Object.hasOwn(role.can, op.collection)) role.can = renameKey(role.can, op.collection, op.to, role.can[op.collection]);
      return;
    }
    case 'setCollection': {
      const col = collectionOf(spec, op.collection);
      for (const k of ['label', 'description', 'defaultSort'] as const) if (op[k] !== undefined) col[k] = op[k];
      return;
    }
    case 'addField': {
      const col = collectionOf(spec, op.collection);
      if (Object.hasOwn(col.fields, op.field)) fail(`"${op.collection}" already has a field "${op.field}"`);
      col.fields[op.field] = structuredClone(op.definition);
      return;
    }
    case 'changeField': {
      const before = fieldOf(spec, op.collection, op.field);
      const def = structuredClone(op.definition);
      // The replacement keeps the field's identity across renames made earlier.
      if (before.renamedFrom !== undefined && def.renamedFrom === undefined) def.renamedFrom = before.renamedFrom;
      spec.collections[op.collection].fields[op.field] = def;
      return;
    }
    case 'removeField': {
      fieldOf(spec, op.collection, op.field);
      const col = spec.collections[op.collection];
      if (col.workflow?.field === op.field) fail(`"${op.field}" holds the workflow state of "${op.collection}"; remove the workflow first`);
      if (Object.keys(col.fields).length === 1) fail(`"${op.field}" is the only field of "${op.collection}"; a collection needs at least one`);
      delete col.fields[op.field];
      if (col.titleField === op.field) delete col.titleField;
      if (col.defaultSort !== undefined) {
        const kept = sortKeys(col.defaultSort).filter((k) => k.replace(/^-/, '') !== op.field);
        if (kept.length) col.defaultSort = kept.join(',');
        else delete col.defaultSort;
      }
      for (const f of Object.values(col.fields)) if (f.type === 'slug' && f.from === op.field) delete f.from;
      renameInAiActions(col, op.field, null);
      return;
    }
    case 'renameField': {
      const def = fieldOf(spec, op.collection, op.field);
      if (op.to === op.field) return;
      const col = spec.collections[op.collection];
      if (Object.hasOwn(col.fields, op.to)) fail(`"${op.collection}" already has a field "${op.to}"`);
      const origin = renames.fieldOrigin(op.collection, op.field, def);
      const moved = { ...def };
      if (origin !== null && origin !== op.to) moved.renamedFrom = origin;
      else delete moved.renamedFrom;
      col.fields = renameKey(col.fields, op.field, op.to, moved);
      renames.markField(op.collection, op.to);
      if (col.titleField === op.field) col.titleField = op.to;
      if (col.defaultSort !== undefined) col.defaultSort = sortKeys(col.defaultSort).map((k) => (k.replace(/^-/, '') === op.field ? k.replace(op.field, op.to) : k)).join(',');
      for (const f of Object.values(col.fields)) if (f.type === 'slug' && f.from === op.field) f.from = op.to;
      if (col.workflow?.field === op.field) col.workflow.field = op.to;
      renameInAiActions(col, op.field, op.to);
      return;
    }
    case 'setTitleField':
      fieldOf(spec, op.collection, op.field);
      spec.collections[op.collection].titleField = op.field;
      return;
    case 'addRole':
      if (Object.hasOwn(spec.roles ?? {}, op.role)) fail(`a role "${op.role}" already exists`);
      spec.roles = { ...spec.roles, [op.role]: structuredClone(op.definition) };
      return;
    case 'removeRole': {
      if (!Object.hasOwn(spec.roles ?? {}, op.role)) fail(`there is no role "${op.role}"`);
      delete spec.roles![op.role];
      for (const [cname, col] of Object.entries(spec.collections)) {
        if (!col.workflow) continue;
        for (const t of col.workflow.transitions) {
          t.roles = t.roles.filter((r) => r !== op.role);
          if (!t.roles.length) fail(`only "${op.role}" may move "${cname}" items to "${t.to}"; give that transition another role first`);
        }
      }
      if (spec.auth?.mfa?.roles) spec.auth.mfa.roles = spec.auth.mfa.roles.filter((r) => r !== op.role);
      return;
    }
    case 'grant': {
      if (op.collection !== '*') collectionOf(spec, op.collection);
      // Every caller holds "public", so it may be granted before the spec names it; other roles are added explicitly.
      if (op.role !== 'public' && !Object.hasOwn(spec.roles ?? {}, op.role)) fail(`there is no role "${op.role}"; add it first`);
      spec.roles ??= {};
      const role = (spec.roles[op.role] ??= {});
      const have = (role.can ??= {})[op.collection] ?? [];
      role.can[op.collection] = [...have, ...op.actions.filter((a) => !have.includes(a))];
      return;
    }
    case 'revoke': {
      const role = spec.roles?.[op.role];
      if (!role || !Object.hasOwn(spec.roles!, op.role)) fail(`there is no role "${op.role}"`);
      const have = role!.can?.[op.collection];
      if (!have) return;
      const kept = have.filter((a) => !op.actions.includes(a));
      if (kept.length) role!.can![op.collection] = kept;
      else delete role!.can![op.collection];
      return;
    }
    case 'setWorkflow': {
      const col = collectionOf(spec, op.collection);
      if (op.workflow === null) delete col.workflow;
      else col.workflow = structuredClone(op.workflow);
      return;
    }
    case 'setTenancy':
      spec.tenancy = op.tenancy;
      return;
    case 'addSignInMethod': {
      const auth = (spec.auth ??= {});
      const methods = auth.methods ?? [];
      if (!methods.includes(op.method)) auth.methods = [...methods, op.method];
      return;
    }
    case 'removeSignInMethod': {
      if (!spec.auth?.methods?.includes(op.method)) fail(`"${op.method}" is not a sign-in method of this app`);
      spec.auth!.methods = spec.auth!.methods!.filter((m) => m !== op.method);
      return;
    }
    case 'addIdentityProvider': {
      const auth = (spec.auth ??= {});
      const providers = auth.providers ?? [];
      if (providers.some((p) => p.id === op.id)) fail(`a provider "${op.id}" already exists`);
      auth.providers = [...providers, { id: op.id, type: op.type, ...(op.label !== undefined && { label: op.label }), ...(op.issuer !== undefined && { issuer: op.issuer }) }];
      return;
    }
    case 'removeIdentityProvider': {
      if (!spec.auth?.providers?.some((p) => p.id === op.id)) fail(`there is no provider "${op.id}"`);
      spec.auth!.providers = spec.auth!.providers!.filter((p) => p.id !== op.id);
      return;
    }
    case 'setMfa': {
      const auth = (spec.auth ??= {});
      auth.mfa = { policy: op.policy, ...(op.roles !== undefined && { roles: op.roles }) };
      return;
    }
    case 'setAuth':
      spec.auth = structuredClone(op.auth);
      return;
    case 'setApp':
      if (op.title !== undefined) spec.title = op.title;
      if (op.description !== undefined) spec.description = op.description;
      return;
  }
}

/** AI actions name fields they read and write: they follow a rename; an action whose target is removed goes with it. */
function renameInAiActions(col: Collection, from: string, to: string | null): void {
  const ai = col.ai;
  const a = ai?.actions;
  if (!ai || !a) return;
  const list = (xs: string[] | undefined) => (xs === undefined ? undefined : to === null ? xs.filter((x) => x !== from) : xs.map((x) => (x === from ? to : x)));
  const one = (x: string | undefined) => (x === from ? (to ?? undefined) : x);
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
  if (a.summarize) {
    // Without "to" the summary goes to the field called "summary".
    const target = a.summarize.to ?? 'summary';
    if (target === from && to === null) delete a.summarize;
    else a.summarize = clean({ ...a.summarize, from: list(a.summarize.from), to: target === from ? to! : a.summarize.to });
  }
  if (a.seo) {
    const seo = clean({ ...a.seo, from: list(a.seo.from), title: one(a.seo.title), description: one(a.seo.description) });
    if (seo.title === undefined && seo.description === undefined) delete a.seo;
    else a.seo = seo;
  }
  if (a.suggestTags) {
    if (a.suggestTags.field === from && to === null) delete a.suggestTags;
    else a.suggestTags = clean({ ...a.suggestTags, field: one(a.suggestTags.field) ?? a.suggestTags.field, from: list(a.suggestTags.from) });
  }
  if (a.translate) {
    const fields = list(a.translate.fields) ?? [];
    if (fields.length) a.translate = { ...a.translate, fields };
    else delete a.translate;
  }
  if (!Object.keys(a).length) delete col.ai;
}

function sortKeys(sort: string): string[] {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A copy of a record with one key renamed in place, so the order people wrote is kept. */
function renameKey<V>(record: Record<string, V>, from: string, to: string, value: V): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(record)) out[k === from ? to : k] = k === from ? value : v;
  return out;
}
