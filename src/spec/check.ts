// Validation of a whole spec: the zod schema first, then the semantic rules that a schema cannot
// express. Every problem names its JSON path and says how to fix it.
import type { z } from 'zod';
import { specSchema, ACTIONS, type Spec, type Field } from './schema.ts';
import { checkFieldValue } from './values.ts';
import { parseSort } from './sort.ts';
import { checkAiActions } from './ai-actions.ts';
import { checkRoleRules } from './role-rules.ts';

export type SpecIssue = { path: string; message: string; fix: string };
export type SpecCheck = { ok: true; spec: Spec; warnings: SpecIssue[] } | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };

/** Names the runtime gives every item; fields may not take them. */
export const SYSTEM_FIELDS = ['id', 'createdAt', 'updatedAt', 'tenant', 'tenantId', 'createdBy', 'updatedBy'] as const;
// Single-tenant apps serve /api/{collection}, so a collection may not shadow another API route.
const RESERVED_COLLECTIONS = new Set(['t', 'tenants', 'health', 'openapi', 'docs', 'search', 'builder', 'auth', 'admin', 'oauth', 'webhooks', 'media', 'spec', 'me', 'users']);
const RESERVED_SECTIONS = ['workflow', 'ai', 'webhooks'] as const;

export function pointer(path: ReadonlyArray<PropertyKey>): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Remove ${issue.keys.map((k) => `"${k}"`).join(', ')} or correct the spelling; see \`kiln spec schema\` for the allowed keys.`;
    case 'invalid_type':
      return `Use a value of type ${issue.expected}.`;
    case 'invalid_union':
      return 'Set "type" to one of: string, text, richtext, integer, number, decimal, boolean, date, datetime, enum, email, url, slug, json, media, relation, and use only the options of that type.';
    case 'invalid_value':
      return `Use one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'invalid_format':
      return 'Rename it to match the pattern: a lowercase letter, then letters, digits or _.';
    case 'too_small':
    case 'too_big':
      return 'Change the value to fit the stated limit.';
    default:
      return 'Correct the value as the message says.';
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function checkSpec(input: unknown): SpecCheck {
  const warnings: SpecIssue[] = [];
  // The discriminated union reports an unknown field type with a useless path; say it precisely first.
  const parsed = specSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) =>
      // A bad record key (a collection, field or role name) carries its real message one level down.
      i.code === 'invalid_key' && i.issues[0]
        ? { path: pointer(i.path), message: `"${String(i.path.at(-1))}": ${i.issues[0].message}`, fix: 'Rename it: a lowercase letter first, then letters, digits or _, at most 30 characters.' }
        : { path: pointer(i.path), message: i.message, fix: fixFor(i) },
    );
    return { ok: false, errors, warnings };
  }
  const spec = parsed.data;
  const errors: SpecIssue[] = [];
  const err = (path: PropertyKey[], message: string, fix: string) => errors.push({ path: pointer(path), message, fix });

  duplicatesAfterCaseFolding(Object.keys(spec.collections), ['collections'], err);
  duplicatesAfterCaseFolding(Object.keys(spec.roles ?? {}), ['roles'], err);

  for (const [cname, col] of Object.entries(spec.collections)) {
    const base = ['collections', cname];
    if (RESERVED_COLLECTIONS.has(cname.toLowerCase()) || cname.toLowerCase().startsWith('kiln')) {
      err(base, `"${cname}" is reserved for Kiln's own API routes and tables`, cname.toLowerCase().startsWith('kiln') ? 'Rename the collection to a name that does not start with "kiln".' : `Rename the collection, for example to "${cname}Items".`);
    }
    duplicatesAfterCaseFolding(Object.keys(col.fields), [...base, 'fields'], err);
    for (const [fname, field] of Object.entries(col.fields)) {
      checkField(spec, cname, fname, field, [...base, 'fields', fname], err);
    }
    if (col.titleField !== undefined && !(col.titleField in col.fields)) {
      err([...base, 'titleField'], `titleField "${col.titleField}" is not a field of "${cname}"`, `Use one of: ${Object.keys(col.fields).join(', ')}.`);
    }
    if (col.workflow) checkWorkflow(spec, cname, col, [...base, 'workflow'], err);
    if (col.ai) checkAiActions(spec, cname, err);
    if (col.defaultSort !== undefined) {
      const s = parseSort(col.defaultSort, col);
      if (!s.ok) err([...base, 'defaultSort'], s.message, 'Name fields of this collection, comma-separated, each optionally prefixed with "-" for descending.');
    }
  }

  for (const [rname, role] of Object.entries(spec.roles ?? {})) {
    for (const [target, actions] of Object.entries(role.can ?? {})) {
      if (target !== '*' && !(target in spec.collections)) {
        err(['roles', rname, 'can', target], `role "${rname}" grants access to "${target}", which is not a collection`, `Use an existing collection or "*": ${Object.keys(spec.collections).join(', ')}.`);
      }
      if (new Set(actions).size !== actions.length) {
        err(['roles', rname, 'can', target], 'an action is listed twice', `List each of ${ACTIONS.join(', ')} at most once.`);
      }
    }
  }

  checkRoleRules(spec, err);
  if (spec.auth) checkAuth(spec, err);
  // A passkey is added by someone already signed in, so on its own it lets nobody in.
  const methods = spec.auth?.methods ?? [];
  const passkey = methods.indexOf('passkey');
  if (passkey >= 0 && methods.length === 1 && !spec.auth?.providers?.length) {
    warnings.push({ path: pointer(['auth', 'methods', passkey]), message: 'passkeys are added by people who are already signed in, so with no other way in nobody can create an account', fix: 'Also list "password" or "magicLink" in auth.methods, or a provider in auth.providers.' });
  }

  for (const section of RESERVED_SECTIONS) {
    if (spec[section] !== undefined && Object.keys(spec[section]).length > 0) {
      warnings.push({
        path: pointer([section]),
        message: `the "${section}" section is kept but not enforced by this version of Kiln`,
        fix: 'Nothing to do now; a later version reads it.',
      });
    }
  }
  return errors.length ? { ok: false, errors, warnings } : { ok: true, spec, warnings };
}

function duplicatesAfterCaseFolding(names: string[], path: PropertyKey[], err: (p: PropertyKey[], m: string, f: string) => void) {
  const seen = new Map<string, string>();
  for (const n of names) {
    const folded = n.toLowerCase();
    const prev = seen.get(folded);
    if (prev !== undefined) err([...path, n], `"${n}" and "${prev}" differ only in letter case`, 'Rename one of them: names must stay distinct when case is ignored.');
    else seen.set(folded, n);
  }
}

function checkField(spec: Spec, cname: string, fname: string, field: Field, path: PropertyKey[], err: (p: PropertyKey[], m: string, f: string) => void) {
  if ((SYSTEM_FIELDS as readonly string[]).some((s) => s.toLowerCase() === fname.toLowerCase())) {
    err(path, `"${fname}" is a system field that every item already has`, `Rename the field; reserved names are ${SYSTEM_FIELDS.join(', ')}.`);
  }
  if ('min' in field && 'max' in field && field.min !== undefined && field.max !== undefined) {
    const lo = field.type === 'decimal' ? Number(field.min) : field.min;
    const hi = field.type === 'decimal' ? Number(field.max) : field.max;
    if (lo > hi) err([...path, 'min'], `min (${field.min}) is greater than max (${field.max})`, 'Make min at most max.');
  }
  for (const k of ['min', 'max'] as const) {
    const v = (field as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (field.type === 'date' || field.type === 'datetime' || field.type === 'decimal') {
      const r = checkFieldValue({ ...field, min: undefined, max: undefined } as Field, v);
      if (!r.ok) err([...path, k], `${k} ${r.message}`, `Give ${k} as a ${field.type} value.`);
    }
  }
  if (field.type === 'decimal' && field.scale !== undefined && field.scale > (field.precision ?? 15)) {
    err([...path, 'scale'], `scale (${field.scale}) is greater than precision (${field.precision ?? 15})`, 'Make scale at most precision: precision counts all digits, scale those after the point.');
  }
  switch (field.type) {
    case 'relation': {
      if (!(field.to in spec.collections)) {
        err([...path, 'to'], `relation "${cname}.${fname}" points at "${field.to}", which is not a collection`, `Use one of: ${Object.keys(spec.collections).join(', ')}.`);
      }
      if (field.many && field.unique) err([...path, 'unique'], 'a many-relation cannot be unique', 'Remove "unique", or make the relation many: false.');
      if (field.searchable) err([...path, 'searchable'], 'relations are not searchable themselves', 'Mark the related collection\'s fields searchable instead.');
      if (!field.many && (field.min !== undefined || field.max !== undefined)) err([...path, 'max'], 'min and max apply only to many-relations', 'Remove min/max or set "many": true.');
      return;
    }
    case 'slug': {
      if (field.from !== undefined) {
        const src = spec.collections[cname].fields[field.from];
        if (!src) err([...path, 'from'], `slug source "${field.from}" is not a field of "${cname}"`, `Use one of: ${Object.keys(spec.collections[cname].fields).join(', ')}.`);
        else if (!['string', 'text', 'email'].includes(src.type)) err([...path, 'from'], `slug source "${field.from}" is a ${src.type} field`, 'Derive the slug from a string or text field.');
      }
      break;
    }
    case 'enum': {
      if (new Set(field.values).size !== field.values.length) err([...path, 'values'], 'an enum value is listed twice', 'List each value once.');
      break;
    }
    case 'json':
    case 'boolean':
      if (field.unique) err([...path, 'unique'], `a ${field.type} field cannot be unique`, 'Remove "unique".');
      if (field.searchable) err([...path, 'searchable'], `a ${field.type} field cannot be searchable`, 'Remove "searchable".');
      break;
    default:
      break;
  }
  if (field.type === 'enum' && field.multiple && field.unique) err([...path, 'unique'], 'a multiple enum cannot be unique', 'Remove "unique".');
  if ('default' in field && field.default !== undefined) {
    if (field.type === 'datetime' && field.default === 'now') return;
    if (field.type === 'json') {
      if (!isPlainObject(field.default) && !Array.isArray(field.default) && typeof field.default !== 'string' && typeof field.default !== 'number' && typeof field.default !== 'boolean') {
        err([...path, 'default'], 'the default is not a JSON value', 'Give an object, array, string, number or boolean.');
      }
      return;
    }
    if (field.unique) err([...path, 'default'], 'a unique field cannot have a default: the second item would collide', 'Remove "default" or "unique".');
    const r = checkFieldValue(field, field.default);
    if (!r.ok) err([...path, 'default'], `the default ${r.message}`, `Give a default that fits a ${field.type} field with its limits.`);
  }
}

function checkWorkflow(spec: Spec, cname: string, col: Spec['collections'][string], path: PropertyKey[], err: (p: PropertyKey[], m: string, f: string) => void) {
  const wf = col.workflow!;
  const field = col.fields[wf.field];
  if (!field || field.type !== 'enum' || field.multiple || !field.required) {
    err([...path, 'field'], `the workflow state field "${wf.field}" must be a required, single enum field of "${cname}"`, 'Add it, for example "status": {"type": "enum", "values": ["draft", "published"], "default": "draft", "required": true}.');
    return;
  }
  const states = field.values;
  const known = (s: string, p: PropertyKey[]) => {
    if (!states.includes(s)) err(p, `"${s}" is not a state: the states are the values of "${wf.field}"`, `Use one of: ${states.join(', ')}.`);
  };
  known(wf.publish, [...path, 'publish']);
  const roles = new Set(['public', ...Object.keys(spec.roles ?? {})]);
  wf.transitions.forEach((t, i) => {
    const froms = Array.isArray(t.from) ? t.from : [t.from];
    froms.forEach((f, j) => f !== '*' && known(f, [...path, 'transitions', i, 'from', ...(Array.isArray(t.from) ? [j] : [])]));
    known(t.to, [...path, 'transitions', i, 'to']);
    t.roles.forEach((r, j) => {
      if (!roles.has(r)) err([...path, 'transitions', i, 'roles', j], `role "${r}" is not defined`, `Define it under "roles", or use one of: ${[...roles].join(', ')}.`);
    });
  });
}

type Err = (path: PropertyKey[], message: string, fix: string) => void;

function checkAuth(spec: Spec, err: Err): void {
  const auth = spec.auth ?? {};
  const seen = new Set<string>();
  for (const [i, p] of (auth.providers ?? []).entries()) {
    if (seen.has(p.id)) err(['auth', 'providers', i, 'id'], `provider id "${p.id}" is used twice`, 'Give each provider its own id.');
    seen.add(p.id);
    if (p.type === 'oidc' && !p.issuer) err(['auth', 'providers', i, 'issuer'], 'an "oidc" provider needs the issuer URL of its discovery document', 'Add "issuer", for example "https://login.example.com".');
    if (p.type !== 'oidc' && p.issuer) err(['auth', 'providers', i, 'issuer'], `a "${p.type}" provider has a fixed issuer`, 'Remove "issuer", or use type "oidc".');
  }
  for (const [i, role] of (auth.mfa?.roles ?? []).entries()) {
    if (!(role in (spec.roles ?? {}))) err(['auth', 'mfa', 'roles', i], `"${role}" is not a role of this spec`, `Use one of: ${Object.keys(spec.roles ?? {}).join(', ') || '(no roles defined)'}.`);
  }
  const clients = new Set<string>();
  for (const [i, c] of (auth.clients ?? []).entries()) {
    if (clients.has(c.id)) err(['auth', 'clients', i, 'id'], `client id "${c.id}" is used twice`, 'Give each client its own id.');
    clients.add(c.id);
    const grants = c.grants ?? ['authorization_code', 'refresh_token'];
    if (grants.includes('authorization_code') && !c.redirectUris?.length) err(['auth', 'clients', i, 'redirectUris'], 'a client that uses the authorization code grant needs at least one redirect URI', 'Add "redirectUris", or remove "authorization_code" from "grants".');
    if (grants.includes('client_credentials') && c.type === 'public') err(['auth', 'clients', i, 'grants'], 'a public client cannot use client_credentials: it has no secret', 'Make the client "confidential", or remove the grant.');
  }
  const { minLength, maxLength } = auth.password ?? {};
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) err(['auth', 'password'], 'minLength is greater than maxLength', 'Make minLength at most maxLength.');
}
