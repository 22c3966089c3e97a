// The offline spec editor: an edit request in plain English → a typed spec patch, with what it
// understood and what it assumed. Each clause is read on its own against the spec as the clauses
// before it left it, so "add a collection of events with a title. events belong to a venue" works.
// A clause it cannot read is reported, never guessed at.
import type { Action, Collection, Field, Spec } from '../../spec/schema.ts';
import type { IDENTITY_PROVIDER_TYPES } from '../../spec/schema.ts';
import { applyPatch, type PatchOp, type SpecPatch } from './spec-patch.ts';
import { inferField } from './planner/infer-field.ts';
import { isPlural } from './planner/inflect.ts';
import { camelName, collectionNameOf, collectionsWithField, findCollection, findField, singularNameOf, singularOf } from './naming.ts';
import { ACTION_VERBS, PUBLIC_WORDS, actionsFromWords, clausesOf, quantity, retype, splitPhrases, typeFromWords } from './edit-phrases.ts';

export type OfflineEdit = { patch: SpecPatch; understood: string[]; assumptions: string[] };

type Outcome = { ops: PatchOp[]; understood: string[]; assumptions: string[] } | { unclear: string };
type Ctx = { spec: Spec; last: string | undefined; lastFields?: FieldRef[] };
type Handler = (ctx: Ctx, clause: string) => Outcome | null;

const EXAMPLES = 'for example "add a featured flag to articles", "rename summary to excerpt in articles", "each article belongs to a category", "make the title required"';

export function editOffline(spec: Spec, request: string): OfflineEdit {
  const ctx: Ctx = { spec, last: undefined };
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  const assumptions: string[] = [];
  for (const clause of clausesOf(request)) {
    let out: Outcome | null = null;
    for (const handler of HANDLERS) {
      out = handler(ctx, clause);
      if (out) break;
    }
    if (!out) {
      assumptions.push(`Not understood: "${clause}". Nothing was changed for it; say it as an edit, ${EXAMPLES}.`);
      continue;
    }
    if ('unclear' in out) {
      assumptions.push(`Not understood: "${clause}": ${out.unclear}`);
      continue;
    }
    if (out.ops.length) {
      const r = applyPatch(ctx.spec, { ops: out.ops });
      if (!r.ok) {
        assumptions.push(`Not applied: "${clause}": ${r.problems.map((p) => p.message).join('; ')}`);
        continue;
      }
      ctx.spec = r.spec;
      ops.push(...out.ops);
      const added = out.ops.flatMap((o) => (o.op === 'addField' ? [{ collection: o.collection, field: o.field }] : o.op === 'renameField' ? [{ collection: o.collection, field: o.to }] : []));
      if (added.length) ctx.lastFields = added;
    }
    understood.push(...out.understood);
    assumptions.push(...out.assumptions);
  }
  return { patch: { ops }, understood, assumptions };
}

const done = (ops: PatchOp[], understood: string[], assumptions: string[] = []): Outcome => ({ ops, understood, assumptions });
const unclear = (why: string): Outcome => ({ unclear: why });
const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
const collectionsOf = (spec: Spec) => Object.keys(spec.collections).join(', ');

// ---- resolving names -------------------------------------------------------------------------

function collection(ctx: Ctx, phrase: string): string | null {
  const p = phrase.trim().toLowerCase();
  if (/^(?:it|them|they|those|these|each one|each of them|that collection|this collection)$/.test(p)) return ctx.last ?? null;
  const c = findCollection(ctx.spec, p);
  if (c) ctx.last = c;
  return c;
}

type FieldRef = { collection: string; field: string };

/** "the title of articles", "articles' title", "article title", or a field name one collection has. */
function fieldRefs(ctx: Ctx, phrase: string): FieldRef[] | { unclear: string } {
  const p = phrase.trim().replace(/^the\s+/i, '');
  if (/^(?:it|them|they|that|those|these|that field|those fields|these fields|both)$/i.test(p)) {
    return ctx.lastFields?.length ? ctx.lastFields : { unclear: `"${p}" refers to no field named before it.` };
  }
  const of = /^(.+?)\s+(?:field\s+)?(?:of|in|on|for|from)\s+(?:the\s+|each\s+|every\s+|all\s+|an?\s+)?(.+)$/i.exec(p);
  if (of) {
    const c = collection(ctx, of[2]);
    if (c) return fieldsIn(ctx, c, of[1]);
  }
  const poss = /^(.+?)'s?\s+(.+)$/i.exec(p);
  if (poss) {
    const c = collection(ctx, poss[1]);
    if (c) return fieldsIn(ctx, c, poss[2]);
  }
  const ws = p.split(/\s+/);
  for (let i = ws.length - 1; i >= 1; i--) {
    const c = findCollection(ctx.spec, ws.slice(0, i).join(' '));
    if (c && findField(ctx.spec.collections[c], ws.slice(i).join(' '))) {
      ctx.last = c;
      return fieldsIn(ctx, c, ws.slice(i).join(' '));
    }
  }
  const names = splitPhrases(p);
  const out: FieldRef[] = [];
  for (const n of names) {
    const hits = collectionsWithField(ctx.spec, n);
    const inLast = hits.find((h) => h.collection === ctx.last);
    if (inLast) out.push(inLast);
    else if (hits.length === 1) out.push(hits[0]);
    else if (hits.length > 1) return { unclear: `${hits.map((h) => `${h.collection}.${h.field}`).join(', ')} all match "${n}"; name the collection, as in "${n} of ${hits[0].collection}".` };
    else return { unclear: `no collection has a field "${n}" (collections: ${collectionsOf(ctx.spec)}).` };
  }
  if (out.length) ctx.last = out[0].collection;
  ctx.lastFields = out;
  return out;
}

function fieldsIn(ctx: Ctx, c: string, phrase: string): FieldRef[] | { unclear: string } {
  const out: FieldRef[] = [];
  for (const n of splitPhrases(phrase.replace(/\s+fields?$/i, ''))) {
    const f = findField(ctx.spec.collections[c], n);
    if (!f) return { unclear: `"${c}" has no field "${n}"; its fields are ${Object.keys(ctx.spec.collections[c].fields).join(', ')}.` };
    out.push({ collection: c, field: f });
  }
  ctx.lastFields = out;
  return out;
}

function roleName(ctx: Ctx, phrase: string): string | null {
  const p = phrase.trim().replace(/^(?:the|all|our|every|each|any)\s+/i, '').replace(/\s+role$/i, '');
  const roles = Object.keys(ctx.spec.roles ?? {});
  const direct = roles.find((r) => r.toLowerCase() === camelName(p)?.toLowerCase() || r.toLowerCase() === singularNameOf(p)?.toLowerCase());
  if (direct) return direct;
  if (PUBLIC_WORDS.test(phrase.trim()) || /\b(?:public|anyone|everyone|everybody|anybody|visitors?|guests?|anonymous)\b/i.test(p)) return 'public';
  // A role is named in a word or two ("editors", "content managers"); a longer subject is a sentence, not a role.
  if (p.split(/\s+/).length > 2) return null;
  return singularNameOf(p);
}

/** Grants a new collection gets: those every role already has alike on all collections. */
function grantsForNew(spec: Spec, name: string): { ops: PatchOp[]; notes: string[] } {
  const ops: PatchOp[] = [];
  const notes: string[] = [];
  const existing = Object.keys(spec.collections);
  for (const [role, def] of Object.entries(spec.roles ?? {})) {
    const can = def.can ?? {};
    if (can['*'] || !existing.length) continue;
    const sets = existing.map((c) => [...(can[c] ?? [])].sort().join(','));
    if (sets[0] && sets.every((s) => s === sets[0])) {
      const actions = sets[0].split(',') as Action[];
      ops.push({ op: 'grant', role, collection: name, actions });
      notes.push(`"${role}" may ${actions.join(', ')} ${name}, as it may every other collection.`);
    }
  }
  if (!ops.length && !Object.values(spec.roles ?? {}).some((r) => r.can?.['*'])) notes.push(`No role is given access to ${name}: only the root token reaches it until you grant some.`);
  return { ops, notes };
}

function newCollection(spec: Spec, name: string, fields: Record<string, Field>): { ops: PatchOp[]; notes: string[] } {
  const titleField = ['title', 'name', 'label', 'headline'].find((f) => fields[f]?.type === 'string') ?? Object.entries(fields).find(([, f]) => f.type === 'string')?.[0];
  const definition: Collection = { fields, ...(titleField && { titleField }) };
  const grants = grantsForNew(spec, name);
  return { ops: [{ op: 'addCollection', collection: name, definition }, ...grants.ops], notes: grants.notes };
}

const NAME_FIELD: Record<string, Field> = { name: { type: 'string', required: true, max: 200 } };

/** One phrase on a collection: a relation when it names a collection (or `relation` says so), else a field. */
function phraseOnCollection(ctx: Ctx, c: string, phrase: string, relation?: { many?: boolean; create?: boolean }): Outcome {
  const q = quantity(phrase);
  const target = findCollection(ctx.spec, q.rest);
  const many = relation?.many ?? q.many ?? isPlural(q.rest.split(/\s+/).at(-1) ?? '');
  // "many tags" is a list of things of their own; "a tag line" is a field.
  const explicitMany = /^(?:many|several|multiple|any number of|one or more|lots of|a list of)\s/i.test(phrase.trim());
  if (target || relation?.create || explicitMany) {
    const ops: PatchOp[] = [];
    const notes: string[] = [];
    let to = target;
    if (!to) {
      to = collectionNameOf(q.rest);
      if (!to) return unclear(`"${q.rest}" does not make a collection name.`);
      const made = newCollection(ctx.spec, to, { ...NAME_FIELD });
      ops.push(...made.ops);
      notes.push(`There was no collection "${to}"; it is created with a name field.`, ...made.notes);
    }
    const name = many ? collectionNameOf(q.rest) : singularNameOf(q.rest);
    if (!name) return unclear(`"${q.rest}" does not make a field name.`);
    const existing = ctx.spec.collections[c].fields[name];
    const field: Field = { type: 'relation', to, ...(many && { many: true }) };
    if (existing) {
      if (existing.type === 'relation' && existing.to === to && (existing.many === true) === many) return done([], [`${c}.${name} already links to ${to}.`]);
      if (existing.type !== 'relation') return unclear(`"${c}" already has a ${existing.type} field "${name}"; rename or remove it first.`);
      return done([{ op: 'changeField', collection: c, field: name, definition: { ...existing, to, many } }], [`${c}.${name} now links to ${many ? 'many' : 'one'} ${to}.`]);
    }
    ops.push({ op: 'addField', collection: c, field: name, definition: field });
    return done(ops, [`${c}.${name}: ${many ? 'a list of links' : 'a link'} to ${to}.`], notes);
  }
  const inferred = inferField(phrase);
  if (!inferred) return unclear(`could not tell what kind of field "${phrase}" is.`);
  if (Object.hasOwn(ctx.spec.collections[c].fields, inferred.name)) return done([], [], [`${c} already has a field "${inferred.name}"; it was left as it is.`]);
  return done(
    [{ op: 'addField', collection: c, field: inferred.name, definition: inferred.field }],
    [`${c}.${inferred.name}: ${describeField(inferred.field)}.`],
    inferred.note ? [`${c}.${inferred.name}: ${inferred.note}.`] : [],
  );
}

function describeField(f: Field): string {
  const bits: string[] = [f.type === 'relation' ? `${f.many ? 'links to' : 'a link to'} ${f.to}` : f.type];
  if (f.type === 'enum') bits.push(`(${f.values.join(', ')})`);
  if ('min' in f && f.min !== undefined) bits.push(`from ${f.min}`);
  if ('max' in f && f.max !== undefined && f.type !== 'string' && f.type !== 'text') bits.push(`to ${f.max}`);
  if (f.required) bits.push('required');
  if ('default' in f && f.default !== undefined) bits.push(`default ${JSON.stringify(f.default)}`);
  return bits.join(' ');
}

function merge(outcomes: Outcome[]): Outcome {
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  const assumptions: string[] = [];
  for (const o of outcomes) {
    if ('unclear' in o) return o;
    ops.push(...o.ops);
    understood.push(...o.understood);
    assumptions.push(...o.assumptions);
  }
  return done(ops, understood, assumptions);
}

/** Phrases applied one after another to a scratch copy, so the second relation sees the first's new collection. */
function phrasesOnCollection(ctx: Ctx, c: string, phrases: string[], relation?: { many?: boolean; create?: boolean }): Outcome {
  const scratch: Ctx = { spec: ctx.spec, last: ctx.last };
  const outs: Outcome[] = [];
  for (const p of phrases) {
    const o = phraseOnCollection(scratch, c, p, relation);
    if ('unclear' in o) return o;
    if (o.ops.length) {
      const r = applyPatch(scratch.spec, { ops: o.ops });
      if (!r.ok) return unclear(r.problems.map((x) => x.message).join('; '));
      scratch.spec = r.spec;
    }
    outs.push(o);
  }
  return merge(outs);
}

// ---- handlers, most specific first ---------------------------------------------------------------

const tenancy: Handler = (ctx, clause) => {
  const multi = /\bmulti[- ]?tenan(?:t|cy|ted)\b|\bmultiple tenants\b|\beach (?:customer|client|team|agency|organi[sz]ation|company|publication|tenant|school|shop|store|brand|workspace)\s+(?:has|gets|with|keeps)\s+(?:its|their) own\b/i.test(clause);
  const single = /\bsingle[- ]?tenan(?:t|cy)\b|\bone tenant\b|\b(?:remove|drop|disable|no more|without) (?:the )?(?:tenan(?:ts|cy)|tenant scop\w*)\b/i.test(clause);
  if (!multi && !single) return null;
  const want = multi && !single ? 'multi' : 'single';
  if (ctx.spec.tenancy === want) return done([], [`The app is already ${want}-tenant.`]);
  return done([{ op: 'setTenancy', tenancy: want }], [want === 'multi' ? 'Every item belongs to a tenant: the app becomes multi-tenant.' : 'The app becomes single-tenant.']);
};

const PROVIDERS: Record<string, (typeof IDENTITY_PROVIDER_TYPES)[number]> = { google: 'google', github: 'github', microsoft: 'microsoft', 'azure ad': 'microsoft', entra: 'microsoft', office: 'microsoft', outlook: 'microsoft', linkedin: 'linkedin' };

const auth: Handler = (ctx, clause) => {
  const c = clause.toLowerCase();
  const about = /\b(?:sign(?:ed)?[- ]?(?:in|on|up)|log(?:ged)?[- ]?in|login|authenticat\w*|sso|oauth|mfa|2fa|two[- ](?:factor|step)|multi[- ]factor|passkeys?|magic links?|passwords?)\b/.test(c);
  if (!about) return null;
  const negative = /\b(?:disable|remove|turn off|switch off|drop|stop|no longer|disallow|don't allow|do not allow|without|no)\b/.test(c);
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  const assumptions: string[] = [];
  const a = ctx.spec.auth ?? {};

  if (/\b(?:mfa|2fa|two[- ](?:factor|step)|multi[- ]factor)\b/.test(c)) {
    const policy = negative ? 'off' : /\boptional\b|\boffer\b|\ballow\b/.test(c) ? 'optional' : 'required';
    const roleWords = /\bfor\s+(.+)$/.exec(c);
    const named = roleWords ? splitPhrases(roleWords[1]).map((r) => roleName(ctx, r) ?? r) : [];
    const roles = named.filter((r) => Object.hasOwn(ctx.spec.roles ?? {}, r));
    const unknown = named.filter((r) => !roles.includes(r));
    if (unknown.length) return unclear(`${list(unknown)} ${unknown.length > 1 ? 'are not roles' : 'is not a role'} of this app (roles: ${Object.keys(ctx.spec.roles ?? {}).join(', ') || 'none'}).`);
    ops.push({ op: 'setMfa', policy, ...(roles.length && { roles }) });
    understood.push(`Multi-factor authentication: ${policy}${roles.length ? ` for ${list(roles)}` : ''}.`);
    return done(ops, understood);
  }
  if (/\binvite[- ]only\b|\bby invitation\b/.test(c) || /\b(?:close|closed|disable|no)\s+(?:sign[- ]?ups?|registration)\b/.test(c) || /\b(?:open|public)\s+(?:sign[- ]?ups?|registration)\b|\banyone can sign up\b/.test(c)) {
    const signUp = /\binvit/.test(c) ? 'invite' : /\b(?:close|closed|disable|no)\s+(?:sign[- ]?ups?|registration)\b/.test(c) ? 'closed' : 'open';
    ops.push({ op: 'setAuth', auth: { ...a, signUp } });
    understood.push(`Sign-up: ${signUp}.`);
    return done(ops, understood);
  }
  const providers = Object.entries(PROVIDERS).filter(([w]) => new RegExp(`\\b${w}\\b`).test(c)).map(([, t]) => t);
  const methods: ('password' | 'magicLink' | 'passkey')[] = [];
  if (/\bmagic links?\b|\bemail links?\b|\bpasswordless\b|\bone[- ]time (?:link|code)s?\b/.test(c)) methods.push('magicLink');
  if (/\bpasskeys?\b|\bwebauthn\b|\bface id\b|\btouch id\b/.test(c)) methods.push('passkey');
  if (/\bpasswords?\b/.test(c) && !/\bpasswordless\b/.test(c)) methods.push('password');
  else if (/\be-?mail\b/.test(c) && !methods.includes('magicLink')) {
    methods.push('password');
    assumptions.push('Signing in with email is read as email and password; say "magic link" for sign-in without a password.');
  }
  if (/\b(?:okta|auth0|keycloak|oidc|openid|saml|sso)\b/.test(c) && !providers.length) {
    return unclear('single sign-on through OpenID Connect needs the issuer URL of the provider; add it to "auth.providers" in kiln.json by hand.');
  }
  for (const type of new Set(providers)) {
    const has = (a.providers ?? []).some((p) => p.type === type);
    if (negative) {
      const p = (a.providers ?? []).find((x) => x.type === type);
      if (!p) assumptions.push(`${type} was not a sign-in provider; nothing to remove.`);
      else {
        ops.push({ op: 'removeIdentityProvider', id: p.id });
        understood.push(`Remove sign-in with ${type}.`);
      }
    } else if (has) understood.push(`Sign-in with ${type} is already on.`);
    else {
      ops.push({ op: 'addIdentityProvider', id: type, type });
      understood.push(`Sign-in with ${type}: credentials come from KILN_AUTH_${type.toUpperCase()}_CLIENT_ID and KILN_AUTH_${type.toUpperCase()}_CLIENT_SECRET.`);
    }
  }
  for (const m of methods) {
    const has = (a.methods ?? []).includes(m);
    if (negative) {
      if (has) {
        ops.push({ op: 'removeSignInMethod', method: m });
        understood.push(`Remove the sign-in method ${m}.`);
      } else assumptions.push(`${m} was not a sign-in method; nothing to remove.`);
    } else if (has) understood.push(`Sign-in with ${m} is already on.`);
    else {
      ops.push({ op: 'addSignInMethod', method: m });
      understood.push(`Sign-in method: ${m}.`);
    }
  }
  if (!providers.length && !methods.length) return unclear('it is about signing in, but names no method (password, magic link, passkey) or provider (Google, GitHub, Microsoft, LinkedIn).');
  return done(ops, understood, assumptions);
};

const appTitle: Handler = (ctx, clause) => {
  const m = /^(?:call|name|rename|title|retitle)\s+(?:the\s+|this\s+)?(?:app|application|site|project)\s+(?:to\s+|as\s+)?["“']?(.+?)["”']?$/i.exec(clause) ?? /^(?:the\s+)?(?:app|application|site)(?:'s)?\s+(?:title|name)\s+(?:is|should be|becomes)\s+["“']?(.+?)["”']?$/i.exec(clause);
  if (!m) return null;
  return done([{ op: 'setApp', title: m[1] }], [`The app's title becomes "${m[1]}".`]);
};

const rename: Handler = (ctx, clause) => {
  const m = /^(?:rename|change the name of|call)\s+(?:the\s+)?(.+?)\s+(?:to|into|as)\s+["“']?([\w\s-]+?)["”']?(?:\s+(?:in|on|of|for)\s+(?:the\s+)?(.+?))?(?:\s+instead)?$/i.exec(clause);
  if (!m) return null;
  const to = m[2];
  let [, what, , where] = m;
  const newName = camelName(to);
  if (!newName) return unclear(`"${to}" does not make a name: use letters and digits.`);
  // "rename summary in articles to excerpt"
  const inside = /^(.+?)\s+(?:in|on|of|for)\s+(?:the\s+)?(.+)$/i.exec(what);
  if (!where && inside && collection(ctx, inside[2])) [, what, where] = inside;
  const isCollectionWord = /\s+collection$/i.test(what);
  what = what.replace(/\s+(?:collection|field)$/i, '');
  if (!where) {
    const c = findCollection(ctx.spec, what);
    if (c && (isCollectionWord || !collectionsWithField(ctx.spec, what).length)) {
      ctx.last = newName;
      return done([{ op: 'renameCollection', collection: c, to: newName }], [`Rename the collection ${c} to ${newName}; its items are kept.`]);
    }
  }
  const refs = where ? (() => {
    const c = collection(ctx, where);
    return c ? fieldsIn(ctx, c, what) : { unclear: `there is no collection "${where}" (collections: ${collectionsOf(ctx.spec)}).` };
  })() : fieldRefs(ctx, what);
  if (!Array.isArray(refs)) return unclear(refs.unclear);
  if (refs.length !== 1) return unclear('rename one field at a time.');
  const { collection: c, field } = refs[0];
  return done([{ op: 'renameField', collection: c, field, to: newName }], [`Rename ${c}.${field} to ${newName}; its values are kept.`]);
};

const remove: Handler = (ctx, clause) => {
  const m = /^(?:remove|delete|drop|get rid of|take out|take away|eliminate)\s+(.+?)(?:\s+(?:from|in|of|on)\s+(?:the\s+|each\s+|every\s+|all\s+)?(.+))?$/i.exec(clause);
  if (!m) return null;
  const [, what, where] = m;
  const role = /^(?:the\s+)?(.+?)\s+role$/i.exec(what);
  if (role && !where) {
    const r = roleName(ctx, role[1]);
    if (!r || !Object.hasOwn(ctx.spec.roles ?? {}, r)) return unclear(`there is no role "${role[1]}" (roles: ${Object.keys(ctx.spec.roles ?? {}).join(', ') || 'none'}).`);
    return done([{ op: 'removeRole', role: r }], [`Remove the role ${r}.`]);
  }
  if (/^(?:the\s+)?workflow$|^(?:the\s+)?review(?: step| process)?$|^(?:the\s+)?drafts?$/i.test(what.trim()) && where) {
    const c = collection(ctx, where);
    if (!c) return unclear(`there is no collection "${where}".`);
    if (!ctx.spec.collections[c].workflow) return done([], [`${c} has no workflow.`]);
    return done([{ op: 'setWorkflow', collection: c, workflow: null }], [`Remove the draft/publish workflow of ${c}: readers see every item again.`]);
  }
  if (!where) {
    const c = findCollection(ctx.spec, what);
    if (c && (/collection$/i.test(what.trim()) || !collectionsWithField(ctx.spec, what.replace(/^the\s+/i, '')).length)) {
      const ops: PatchOp[] = [];
      const notes: string[] = [];
      for (const [cn, col] of Object.entries(ctx.spec.collections)) {
        if (cn === c) continue;
        for (const [fn, f] of Object.entries(col.fields)) {
          if (f.type === 'relation' && f.to === c) {
            ops.push({ op: 'removeField', collection: cn, field: fn });
            notes.push(`${cn}.${fn} linked to ${c}; it is removed too.`);
          }
        }
      }
      ops.push({ op: 'removeCollection', collection: c });
      return done(ops, [`Remove the collection ${c} and every item in it.`], notes);
    }
  }
  const refs = where ? (() => {
    const c = collection(ctx, where);
    return c ? fieldsIn(ctx, c, what.replace(/^the\s+/i, '')) : { unclear: `there is no collection "${where}" (collections: ${collectionsOf(ctx.spec)}).` };
  })() : fieldRefs(ctx, what);
  if (!Array.isArray(refs)) return unclear(refs.unclear);
  return done(
    refs.map((r) => ({ op: 'removeField' as const, collection: r.collection, field: r.field })),
    refs.map((r) => `Remove ${r.collection}.${r.field} and its stored values.`),
  );
};

const addRole: Handler = (ctx, clause) => {
  const m = /^(?:add|create|define|introduce)\s+(?:an?\s+|new\s+)*(?:role\s+(?:for|of|called|named)\s+(.+?)|(.+?)\s+role)(?:\s*,?\s+(?:who|that|which)\s+(.+))?$/i.exec(clause);
  if (!m) return null;
  const r = roleName(ctx, m[1] ?? m[2]);
  if (!r) return unclear(`"${m[1] ?? m[2]}" does not make a role name.`);
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  if (!Object.hasOwn(ctx.spec.roles ?? {}, r) && r !== 'public') {
    ops.push({ op: 'addRole', role: r, definition: {} });
    understood.push(`Add the role ${r}.`);
  } else understood.push(`The role ${r} exists already.`);
  if (m[3]) {
    const scratch: Ctx = { spec: applyOrSame(ctx.spec, ops), last: ctx.last };
    const g = grantClause(scratch, r, m[3]);
    if (!g) return unclear(`could not read what ${r} may do from "${m[3]}"; say it as "${r}s can edit and delete comments".`);
    if ('unclear' in g) return g;
    return done([...ops, ...g.ops], [...understood, ...g.understood], g.assumptions);
  }
  return done(ops, understood, [`${r} has no access yet; grant it with, for example, "${r}s can edit comments".`]);
};

function applyOrSame(spec: Spec, ops: PatchOp[]): Spec {
  if (!ops.length) return spec;
  const r = applyPatch(spec, { ops });
  return r.ok ? r.spec : spec;
}

/** "can edit and delete comments" / "cannot delete articles" for a known role. */
function grantClause(ctx: Ctx, role: string, rest: string): Outcome | null {
  const m = new RegExp(`^(?:(can|may|should be able to|are allowed to|is allowed to|must be able to|get to|also can|can also)|(can no longer|cannot|can't|can not|may not|must not|should not be able to|are not allowed to|is not allowed to|no longer can))\\s+(?:also\\s+)?((?:(?:${ACTION_VERBS})(?:\\s*,\\s*(?:and\\s+|or\\s+)?|\\s+and\\s+|\\s+or\\s+|\\s*/\\s*)?)+)\\s*(.*)$`, 'i').exec(rest.trim());
  if (!m) return null;
  const actions = actionsFromWords(m[3].trim());
  if (!actions) return null;
  const target = m[4].replace(/^(?:the|all|any|every|each)\s+/i, '').trim();
  const c = /^(?:everything|all content|anything|all collections|every collection|content)$/i.test(target) ? '*' : collection(ctx, target);
  if (!c) return unclear(`there is no collection "${target}" (collections: ${collectionsOf(ctx.spec)}).`);
  const what = c === '*' ? 'every collection' : c;
  if (m[2]) {
    if (!Object.hasOwn(ctx.spec.roles ?? {}, role)) return unclear(`there is no role "${role}".`);
    return done([{ op: 'revoke', role, collection: c, actions }], [`${role} may no longer ${actions.join(', ')} ${what}.`]);
  }
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  if (role !== 'public' && !Object.hasOwn(ctx.spec.roles ?? {}, role)) {
    ops.push({ op: 'addRole', role, definition: {} });
    understood.push(`Add the role ${role}.`);
  }
  ops.push({ op: 'grant', role, collection: c, actions });
  understood.push(`${role} may ${actions.join(', ')} ${what}.`);
  return done(ops, understood);
}

const grants: Handler = (ctx, clause) => {
  const let_ = new RegExp(`^(?:let|allow|permit|enable)\\s+(.+?)\\s+(?:to\\s+)?((?:${ACTION_VERBS})\\b.*)$`, 'i').exec(clause);
  if (let_) {
    const role = roleName(ctx, let_[1]);
    if (!role || collection({ spec: ctx.spec, last: undefined }, let_[1])) return null;
    return grantClause(ctx, role, `can ${let_[2]}`);
  }
  const m = /^(.+?)\s+((?:can|may|should|must|cannot|can't|are|is|no longer|also|get)\b.*)$/i.exec(clause);
  if (!m) return null;
  // "articles can have many tags" is about a collection, not a role.
  if (findCollection(ctx.spec, m[1])) return null;
  const role = roleName(ctx, m[1]);
  if (!role) return null;
  return grantClause(ctx, role, m[2]);
};

const REVIEW = /\b(?:review\w*|approv\w*|moderat\w*|sign[- ]off|signs off|check\w*|vet\w*|proofread\w*)\b/i;
const PUBLISH_STATES = ['published', 'live', 'approved', 'public'];

const workflow: Handler = (ctx, clause) => {
  // "add a status: draft, review, published" lists values; it asks for no review.
  if (/^(?:add|include|store|track|record|rename|remove|delete|drop|give)\b/i.test(clause) || clause.includes(':')) return null;
  if (!REVIEW.test(clause) || !/\b(?:publish\w*|go(?:es)? live|goes out|appear\w*|visible|before|approv\w*)\b/i.test(clause)) return null;
  const words = clause.replace(/[^\w\s'-]/g, ' ').split(/\s+/).filter(Boolean);
  let c: string | null = null;
  for (let n = 3; n >= 1 && !c; n--) {
    for (let i = 0; i + n <= words.length && !c; i++) c = findCollection(ctx.spec, words.slice(i, i + n).join(' '));
  }
  if (!c) c = ctx.last ?? null;
  if (!c) return unclear(`name the collection that needs review (collections: ${collectionsOf(ctx.spec)}).`);
  ctx.last = c;
  const who = /\b(?:by|from)\s+(?:an?\s+|the\s+)?([a-z][\w\s-]*?)(?:\s+(?:before|first|prior|when|then)\b|$)/i.exec(clause)?.[1] ?? /^(?:the\s+|an?\s+)?([a-z][\w\s-]*?)\s+(?:must|should|need to|needs to|have to|has to|will|can|review|approve|moderate|check|sign)\b/i.exec(clause)?.[1];
  if (!who || findCollection(ctx.spec, who)) return unclear(`say who reviews ${c}, as in "editors must review ${c} before publishing".`);
  const reviewer = roleName(ctx, who);
  if (!reviewer || reviewer === 'public') return unclear(`"${who}" cannot review: name a role such as editors.`);
  const col = ctx.spec.collections[c];
  if (col.workflow) return done([], [`${c} already has a workflow (state field "${col.workflow.field}", published when "${col.workflow.publish}"); change it in kiln.json.`]);

  const ops: PatchOp[] = [];
  const understood: string[] = [];
  const assumptions: string[] = [];
  if (!Object.hasOwn(ctx.spec.roles ?? {}, reviewer)) {
    ops.push({ op: 'addRole', role: reviewer, definition: { description: `Reviews and publishes ${c}.` } }, { op: 'grant', role: reviewer, collection: c, actions: ['read', 'create', 'update'] });
    understood.push(`Add the role ${reviewer}, who may read, create and update ${c}.`);
  }
  const existing = Object.entries(col.fields).find(([, f]) => f.type === 'enum' && !f.multiple && f.required && f.values.some((v) => PUBLISH_STATES.includes(v)));
  let field: string;
  let states: { draft: string; review: string | undefined; publish: string };
  if (existing && existing[1].type === 'enum') {
    field = existing[0];
    const values = existing[1].values;
    const publish = values.find((v) => PUBLISH_STATES.includes(v))!;
    const draft = (typeof existing[1].default === 'string' ? existing[1].default : undefined) ?? values.find((v) => v !== publish)!;
    states = { draft, review: values.find((v) => /review|pending|submitted|waiting/.test(v)), publish };
    understood.push(`${c}.${field} holds the workflow state.`);
  } else {
    field = ['status', 'reviewStatus', 'workflowState'].find((n) => !Object.hasOwn(col.fields, n))!;
    states = { draft: 'draft', review: 'in_review', publish: 'published' };
    ops.push({ op: 'addField', collection: c, field, definition: { type: 'enum', values: ['draft', 'in_review', 'published'], default: 'draft', required: true, index: true } });
    understood.push(`${c}.${field}: draft, in_review or published.`);
    assumptions.push(`Existing ${c} start as "draft" and are hidden from readers until someone publishes them.`);
  }
  // Whoever may already write the collection submits for review; the reviewer decides.
  const writers = Object.entries(ctx.spec.roles ?? {})
    .filter(([r, def]) => r !== 'public' && r !== reviewer && [...(def.can?.[c] ?? []), ...(def.can?.['*'] ?? [])].some((a) => a === 'create' || a === 'update'))
    .map(([r]) => r);
  const submitters = [...writers, reviewer];
  const transitions = states.review
    ? [
        { from: states.draft, to: states.review, roles: submitters },
        { from: states.review, to: states.draft, roles: submitters },
        { from: states.review, to: states.publish, roles: [reviewer] },
        { from: states.publish, to: states.draft, roles: [reviewer] },
      ]
    : [
        { from: states.draft, to: states.publish, roles: [reviewer] },
        { from: states.publish, to: states.draft, roles: [reviewer] },
      ];
  ops.push({ op: 'setWorkflow', collection: c, workflow: { field, publish: states.publish, transitions } });
  understood.push(`${c} get drafts and review: ${states.review ? `${list(submitters)} submit for review, ` : ''}${reviewer} publishes; readers see only published ${c}.`);
  return done(ops, understood, assumptions);
};

const OPTION_WORDS = 'required|mandatory|compulsory|optional|not required|unique|not unique|searchable|not searchable|indexed|sortable|filterable|not indexed';

const fieldOption: Handler = (ctx, clause) => {
  const m =
    new RegExp(`^(?:make|mark|set|have)\\s+(.+?)\\s+(?:as\\s+|be\\s+)?(${OPTION_WORDS})$`, 'i').exec(clause) ??
    new RegExp(`^(.+?)\\s+(?:is|are|should be|must be|has to be|have to be|needs to be|need to be|becomes?|can be)\\s+(?:now\\s+)?(${OPTION_WORDS})$`, 'i').exec(clause);
  if (!m) return null;
  const refs = fieldRefs(ctx, m[1].replace(/^(?:the|all|each|every)\s+/i, '').replace(/\s+fields?$/i, ''));
  if (!Array.isArray(refs)) return unclear(refs.unclear);
  const word = m[2].toLowerCase();
  const key = /required|mandatory|compulsory|optional/.test(word) ? 'required' : /unique/.test(word) ? 'unique' : /searchable/.test(word) ? 'searchable' : 'index';
  const on = !/^(?:not |optional)/.test(word);
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  for (const r of refs) {
    const before = ctx.spec.collections[r.collection].fields[r.field];
    const def = { ...before } as Record<string, unknown>;
    if (on) def[key] = true;
    else delete def[key];
    if (JSON.stringify(def) === JSON.stringify(before)) {
      understood.push(`${r.collection}.${r.field} is already ${on ? key : `not ${key}`}.`);
      continue;
    }
    ops.push({ op: 'changeField', collection: r.collection, field: r.field, definition: def as Field });
    understood.push(`${r.collection}.${r.field} becomes ${on ? key : key === 'required' ? 'optional' : `not ${key}`}.`);
  }
  return done(ops, understood);
};

const changeType: Handler = (ctx, clause) => {
  const m = /^(?:make|change|turn|convert|switch)\s+(.+?)\s+(?:in)?to\s+(?:an?\s+)?(.+?)(?:\s+field)?$/i.exec(clause) ?? /^(?:make)\s+(.+?)\s+(?:an?\s+)(.+?)(?:\s+field)?$/i.exec(clause) ?? /^(.+?)\s+(?:should be|must be|becomes|is)\s+(?:an?\s+)(.+?)(?:\s+field)?$/i.exec(clause);
  if (!m) return null;
  const enumValues = /^(?:one of|choice of|either)\s+(.+)$|^(?:enum|choice|list of options)\s*(?:of|:|with values?)\s*(.+)$/i.exec(m[2]);
  const to: Field | null = enumValues ? { type: 'enum', values: splitPhrases((enumValues[1] ?? enumValues[2]).replace(/\s+or\s+/gi, ', ')).map((v) => v.toLowerCase().replace(/\s+/g, '_')) } : typeFromWords(m[2]);
  if (!to) return null;
  const refs = fieldRefs(ctx, m[1].replace(/^(?:the|each|every)\s+/i, '').replace(/\s+fields?$/i, ''));
  if (!Array.isArray(refs)) return unclear(refs.unclear);
  const ops: PatchOp[] = [];
  const understood: string[] = [];
  for (const r of refs) {
    const before = ctx.spec.collections[r.collection].fields[r.field];
    if (before.type === to.type && to.type !== 'enum') {
      understood.push(`${r.collection}.${r.field} is already ${to.type}.`);
      continue;
    }
    if (before.type === 'relation') return unclear(`${r.collection}.${r.field} is a relation; remove it and add a field instead.`);
    ops.push({ op: 'changeField', collection: r.collection, field: r.field, definition: retype(before, to) });
    understood.push(`${r.collection}.${r.field}: ${before.type} → ${to.type}; stored values are converted by the migration.`);
  }
  return done(ops, understood);
};

const titleField: Handler = (ctx, clause) => {
  const m = /^(?:use|show|display)\s+(?:the\s+)?(.+?)\s+as\s+(?:the\s+)?(?:title|name|label)(?:\s+(?:of|for)\s+(.+))?$/i.exec(clause) ?? /^(?:the\s+)?(.+?)\s+(?:is|should be)\s+the\s+title(?:\s+field)?\s+(?:of|for)\s+(.+)$/i.exec(clause);
  if (!m) return null;
  const refs = m[2] ? (() => {
    const c = collection(ctx, m[2]);
    return c ? fieldsIn(ctx, c, m[1]) : { unclear: `there is no collection "${m[2]}".` };
  })() : fieldRefs(ctx, m[1]);
  if (!Array.isArray(refs)) return unclear(refs.unclear);
  return done(refs.map((r) => ({ op: 'setTitleField' as const, collection: r.collection, field: r.field })), refs.map((r) => `${r.collection} items are titled by ${r.field}.`));
};

const sortOrder: Handler = (ctx, clause) => {
  const m = /^(?:sort|order|list|show)\s+(.+?)\s+(?:by|with)\s+(?:the\s+)?(.+?)(?:\s+(first|descending|ascending|desc|asc|at the top))?$/i.exec(clause);
  if (!m) return null;
  const c = collection(ctx, m[1]);
  if (!c) return null;
  const by = m[2].toLowerCase();
  let key: string;
  if (/^(?:newest|latest|most recent|recent)$/.test(by)) key = '-createdAt';
  else if (/^(?:oldest|earliest)$/.test(by)) key = 'createdAt';
  else {
    const desc = /\b(?:descending|desc|latest|newest|highest|most recent|biggest|largest)\b/.test(`${by} ${m[3] ?? ''}`) && !/\bascending\b/.test(by);
    const f = findField(ctx.spec.collections[c], by.replace(/\b(?:descending|ascending|desc|asc|latest|newest|highest|lowest|most recent|biggest|largest|smallest)\b/g, '').trim());
    if (!f) return unclear(`"${c}" has no field "${m[2]}"; its fields are ${Object.keys(ctx.spec.collections[c].fields).join(', ')}.`);
    key = `${desc ? '-' : ''}${f}`;
  }
  return done([{ op: 'setCollection', collection: c, defaultSort: key }], [`${c} are listed by ${key.replace(/^-/, '')}${key.startsWith('-') ? ', descending' : ''} unless a request asks otherwise.`]);
};

const WITH = /\s+(?:with|having|that has|that have|which has|which have|containing|including|that stores?|holding)\s+/i;

const addCollection: Handler = (ctx, clause) => {
  // "add a collection of events with …" / "add an events collection with …"
  const named = /^(?:add|create|make|set up|introduce|we need|i need|there should be|new)\s+(?:an?\s+|new\s+|another\s+)*(?:collection|content type|table|section|kind of content|type of content)\s+(?:of|for|called|named|with)?\s*(.+)$/i.exec(clause)?.[1];
  const typed = /^(?:add|create|set up|introduce)\s+(?:an?\s+|new\s+|another\s+)*(.+?)\s+(?:collection|content type|table)(\s+(?:with|having|containing|including)\s+.+)?$/i.exec(clause);
  let name: string | undefined;
  let fieldsText: string | undefined;
  // "add a rating from 1 to 5 to the post collection" adds to a collection; it makes none.
  const spelled = named ?? (typed && !(typed[2] === undefined && /\s(?:to|on|for|in|into)\s/i.test(typed[1])) ? `${typed[1]}${typed[2] ?? ''}` : undefined);
  if (spelled !== undefined) {
    const w = WITH.exec(spelled);
    name = w ? spelled.slice(0, w.index) : spelled;
    fieldsText = w ? spelled.slice(w.index + w[0].length) : undefined;
  } else {
    // "add events with a title and a date": a plural noun that names no collection yet, then its fields.
    const b = /^(?:add|create)\s+(?:some\s+)?(.+?)(?:\s+(?:with|having|containing|including)\s+(.+))$/i.exec(clause);
    if (!b || /\s(?:to|on|for|in|into)\s/i.test(b[1])) return null;
    const last = b[1].trim().split(/\s+/).at(-1) ?? '';
    if (/^(?:an?|the)\s/i.test(b[1]) || !isPlural(last)) return null;
    name = b[1];
    fieldsText = b[2];
  }
  name = name.replace(/^(?:called|named)\s+/i, '').replace(/["“”']/g, '').trim();
  const cname = collectionNameOf(name);
  if (!cname) return unclear(`"${name}" does not make a collection name.`);
  const phrases = fieldsText ? splitPhrases(fieldsText) : [];
  const existing = findCollection(ctx.spec, name);
  if (existing) {
    ctx.last = existing;
    if (!phrases.length) return done([], [`The collection ${existing} exists already.`]);
    return phrasesOnCollection(ctx, existing, phrases);
  }
  // Plain fields make up the new collection; phrases that name a collection become relations,
  // added once the new collection exists.
  const initial: Record<string, Field> = {};
  const notes: string[] = [];
  const relations: string[] = [];
  for (const p of phrases) {
    if (findCollection(ctx.spec, quantity(p).rest)) {
      relations.push(p);
      continue;
    }
    const f = inferField(p);
    if (!f) return unclear(`could not tell what kind of field "${p}" is.`);
    initial[f.name] = f.field;
    if (f.note) notes.push(`${cname}.${f.name}: ${f.note}.`);
  }
  if (!Object.keys(initial).length) {
    Object.assign(initial, NAME_FIELD);
    notes.unshift(`${cname} got a "name" field${phrases.length ? ' besides its links' : ': no fields were named'}.`);
  }
  const made = newCollection(ctx.spec, cname, initial);
  const created = applyPatch(ctx.spec, { ops: made.ops });
  if (!created.ok) return unclear(created.problems.map((x) => x.message).join('; '));
  const rest = phrasesOnCollection({ spec: created.spec, last: cname }, cname, relations);
  if ('unclear' in rest) return rest;
  ctx.last = cname;
  const understood = [`Add the collection ${cname}: ${Object.entries(initial).map(([n, f]) => `${n} (${describeField(f)})`).join(', ')}.`, ...rest.understood];
  return done([...made.ops, ...rest.ops], understood, [...notes, ...made.notes, ...rest.assumptions]);
};

const RELATION_VERBS: readonly [RegExp, { many?: boolean; create?: boolean }][] = [
  [/^(?:belongs? to many|can belong to many|belong to several|appears? in many)\s+/i, { many: true, create: true }],
  [/^(?:belongs? to|is part of|is in|sits in|lives in|is filed under|is assigned to|are assigned to|is owned by|are owned by|is written by|are written by|is authored by|are authored by|is created by|are created by|is published by|are published by|references?|refers? to|points? to|links? to)\s+/i, { many: false, create: true }],
  [/^(?:is tagged with|are tagged with|can be tagged with|tagged with|is labell?ed with|are labell?ed with)\s+/i, { many: true, create: true }],
  [/^(?:can have many|have many|has many|can have several|can have multiple|have several|have multiple|has several|has multiple|can have|have|has|contain|contains|can contain|include|includes|can include|need|needs|should have|must have|get|gets|store|stores|track|tracks|record|records|with)\s+/i, {}],
];

const has: Handler = (ctx, clause) => {
  const m = /^(?:(?:each|every|an?|the|all|any)\s+)?(.+?)\s+((?:(?:should|must|can|could|will|may|also|now|always)\s+)*(?:belongs?|is|are|can|have|has|contains?|includes?|needs?|gets?|stores?|tracks?|records?|references?|refers?|points?|links?|sits|lives|appears?|tagged|with)\b.*)$/i.exec(clause);
  if (!m) return null;
  const rest = m[2].replace(/^(?:(?:should|must|will|may|also|now|always)\s+)+/i, '');
  const first = relationVerb(rest);
  if (!first) return null;
  const c = collection(ctx, m[1]);
  if (!c) {
    const subject = m[1].trim();
    if (/s$/i.test(subject) && !/\s/.test(subject) && !PUBLIC_WORDS.test(subject) && !Object.hasOwn(ctx.spec.roles ?? {}, singularOf(subject))) {
      return unclear(`there is no collection "${subject}" (collections: ${collectionsOf(ctx.spec)}); to make one say "add a collection of ${subject} with …".`);
    }
    return null;
  }
  // Each listed part may bring its own verb: "are written by authors and tagged with topics".
  const scratch: Ctx = { spec: ctx.spec, last: c };
  const outs: Outcome[] = [];
  let rel = first.rel;
  for (const piece of splitPhrases(rest.slice(first.length))) {
    const own = relationVerb(piece);
    if (own) rel = own.rel;
    const phrase = own ? piece.slice(own.length) : piece;
    const o = phrasesOnCollection(scratch, c, [phrase], rel.create || rel.many !== undefined ? rel : undefined);
    if ('unclear' in o) return o;
    scratch.spec = applyOrSame(scratch.spec, o.ops);
    outs.push(o);
  }
  return outs.length ? merge(outs) : null;
};

function relationVerb(text: string): { rel: { many?: boolean; create?: boolean }; length: number } | null {
  for (const [re, rel] of RELATION_VERBS) {
    const v = re.exec(text);
    if (v) return { rel: { ...rel, ...(rel.many === undefined && /many|several|multiple/i.test(v[0]) && { many: true, create: true }) }, length: v[0].length };
  }
  return null;
}

const addFields: Handler = (ctx, clause) => {
  const give = /^(?:give)\s+(?:the\s+|each\s+|every\s+|all\s+)?(.+?)\s+((?:an?|the|some|many|several)\s+.+)$/i.exec(clause);
  if (give) {
    const c = collection(ctx, give[1]);
    if (c) return phrasesOnCollection(ctx, c, splitPhrases(give[2]));
  }
  const m = /^(?:add|include|store|track|record|keep|put|attach|add in)\s+(.+)$/i.exec(clause);
  if (!m) return null;
  const body = m[1];
  // The last " to|on|for|in <collection>" names the target: "a rating from 1 to 5 to reviews".
  const seps = [...body.matchAll(/\s+(?:to|on|for|in|into|onto)\s+(?:the\s+|each\s+|every\s+|all\s+|an?\s+)?/gi)].reverse();
  for (const s of seps) {
    const tail = body.slice(s.index + s[0].length);
    const c = collection(ctx, tail);
    if (c) return phrasesOnCollection(ctx, c, splitPhrases(body.slice(0, s.index)));
  }
  if (seps.length) {
    const tail = body.slice(seps[0].index + seps[0][0].length);
    if (/^\w+s$/i.test(tail.trim()) || /collection$/i.test(tail.trim())) return unclear(`there is no collection "${tail.trim()}" (collections: ${collectionsOf(ctx.spec)}); to make one say "add a collection of ${tail.trim()} with …".`);
  }
  const only = Object.keys(ctx.spec.collections);
  const target = ctx.last ?? (only.length === 1 ? only[0] : undefined);
  if (!target) return unclear(`say which collection gets it, as in "add ${body} to ${only[0] ?? 'articles'}" (collections: ${collectionsOf(ctx.spec)}).`);
  const out = phrasesOnCollection(ctx, target, splitPhrases(body));
  if ('unclear' in out || ctx.last) return out;
  return { ...out, assumptions: [...out.assumptions, `Added to ${target}, the app's only collection.`] };
};

const HANDLERS: readonly Handler[] = [tenancy, auth, appTitle, rename, remove, addRole, workflow, grants, fieldOption, changeType, titleField, sortOrder, addCollection, has, addFields];
