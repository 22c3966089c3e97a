// The safety policy every builder output passes, whoever wrote it (the offline planner, the offline
// editor, a model): text — a description, an edit request, content quoted in either — can never
// raise privileges or weaken protection. Such parts are taken out with an explanation and the rest
// proceeds; a person who really wants them edits kiln.json by hand, where `kiln migrate` shows them.
import type { Action, AuthSection, Spec } from '../../spec/schema.ts';

export type GuardResult = { spec: Spec; refused: string[] };

/** Who wrote the output, for the explanations: "offline", "model" or "cache". */
export type GuardSource = string;

const ADMIN_LIKE = /admin|root|super|sudo|sysop|god/i;
const PUBLIC_LIKE = /^(public|anonymous|anon|guests?|everyone|everybody|visitors?|world|all)$/i;
const WRITES: readonly Action[] = ['create', 'update', 'delete'];
const BY_HAND = 'edit kiln.json by hand if you mean it';

/** Guards a whole new spec (`kiln new`, POST /api/builder/plan): nothing existed before it. */
export function guardPlan(spec: Spec, source: GuardSource): GuardResult {
  const empty: Spec = { kiln: spec.kiln, name: spec.name, tenancy: spec.tenancy, collections: {} };
  return guard(empty, spec, source, true);
}

/** Guards a change: `after` as the builder produced it, returned with the refused parts reverted to `before`. */
export function guardEdit(before: Spec, after: Spec, source: GuardSource): GuardResult {
  return guard(before, after, source, false);
}

function guard(before: Spec, after: Spec, source: GuardSource, isPlan: boolean): GuardResult {
  const spec = structuredClone(after);
  const refused: string[] = [];
  const by = source === 'model' ? ' (the model asked for it)' : source === 'cache' ? ' (a stored model answer asked for it)' : '';
  const refuse = (message: string) => refused.push(`${message}${by}; ${BY_HAND}.`);

  if (before.tenancy === 'multi' && spec.tenancy !== 'multi') {
    spec.tenancy = 'multi';
    refuse('Kept the app multi-tenant: the builder never removes tenant scoping');
  }
  guardRoles(before, spec, refuse, isPlan);
  guardTransitions(before, spec, refuse);
  guardAuth(before, spec, refuse);
  return { spec, refused };
}

/** The name a collection of `after` had in `before`, or null for a new one. */
function previousName(before: Spec, after: Spec, collection: string): string | null {
  const r = after.collections[collection]?.renamedFrom;
  if (r !== undefined && Object.hasOwn(before.collections, r) && !Object.hasOwn(after.collections, r)) return r;
  return Object.hasOwn(before.collections, collection) ? collection : null;
}

/**
 * A new app may let anonymous callers submit into a moderated collection (comments that stay hidden
 * until approved): what they create waits in the workflow's first state, which they cannot leave.
 */
function moderatedSubmission(spec: Spec, role: string, target: string): boolean {
  const wf = spec.collections[target]?.workflow;
  return !!wf && wf.transitions.every((t) => !t.roles.includes(role));
}

function guardRoles(before: Spec, spec: Spec, refuse: (m: string) => void, isPlan: boolean) {
  const beforeRoles = before.roles ?? {};
  for (const [role, def] of Object.entries(spec.roles ?? {})) {
    const existed = Object.hasOwn(beforeRoles, role);
    if (!existed && ADMIN_LIKE.test(role)) {
      delete spec.roles![role];
      dropRoleReferences(spec, role);
      refuse(`Did not add the role "${role}": the builder never adds admin, root or superuser roles (the root token already administers the app)`);
      continue;
    }
    const had = beforeRoles[role]?.can ?? {};
    const can = def.can ?? {};
    const hadWildcard = had['*'] ?? [];
    for (const [target, actions] of Object.entries(can)) {
      const prev = target === '*' ? null : previousName(before, spec, target);
      const before_ = target === '*' ? hadWildcard : prev === null ? [] : [...(had[prev] ?? []), ...hadWildcard];
      let added = actions.filter((a) => !before_.includes(a));
      if (!added.length) continue;
      let kept = actions;
      if (PUBLIC_LIKE.test(role)) {
        const writes = added.filter((a) => WRITES.includes(a) && !(a === 'create' && isPlan && moderatedSubmission(spec, role, target)));
        if (writes.length) {
          kept = kept.filter((a) => !writes.includes(a));
          added = added.filter((a) => !writes.includes(a));
          refuse(`Did not let "${role}" ${writes.join(', ')} ${target === '*' ? 'every collection' : `"${target}"`}: anonymous callers only ever read`);
        }
      }
      if (target === '*' && added.length) {
        kept = kept.filter((a) => !added.includes(a));
        if (!existed) {
          // A wildcard also covers every collection added later, without anyone looking at it again;
          // the grant is kept for the collections this spec has, where it can be read and reviewed.
          for (const c of Object.keys(spec.collections)) can[c] = [...new Set([...(can[c] ?? []), ...added])];
          refuse(`Replaced the wildcard grant "*" of "${role}" by grants on ${Object.keys(spec.collections).join(', ') || 'no collection'}: the builder never writes wildcard grants`);
        } else {
          refuse(`Did not widen the wildcard grant of "${role}" with ${added.join(', ')}: the builder never widens an existing role's access`);
        }
      } else if (existed && prev !== null && added.length) {
        kept = kept.filter((a) => !added.includes(a));
        refuse(`Did not give the existing role "${role}" ${added.join(', ')} on "${target}": the builder never widens an existing role's access`);
      }
      if (kept.length) can[target] = kept;
      else delete can[target];
    }
  }
}

function dropRoleReferences(spec: Spec, role: string) {
  for (const col of Object.values(spec.collections)) {
    if (!col.workflow) continue;
    for (const t of col.workflow.transitions) t.roles = t.roles.filter((r) => r !== role);
  }
  if (spec.auth?.mfa?.roles) spec.auth.mfa.roles = spec.auth.mfa.roles.filter((r) => r !== role);
}

/** Who may move items between workflow states is a rule like a grant: anonymous callers never, and no existing role gains a step. */
function guardTransitions(before: Spec, spec: Spec, refuse: (m: string) => void) {
  for (const [cname, col] of Object.entries(spec.collections)) {
    const wf = col.workflow;
    if (!wf) continue;
    const prev = previousName(before, spec, cname);
    const old = prev === null ? undefined : before.collections[prev].workflow;
    const allowed = new Set<string>();
    for (const t of old?.transitions ?? []) for (const f of [t.from].flat()) for (const r of t.roles) allowed.add(`${r} ${f} ${t.to}`);
    const existingRoles = new Set(Object.keys(before.roles ?? {}));
    for (const t of wf.transitions) {
      const froms = [t.from].flat();
      t.roles = t.roles.filter((r) => {
        if (PUBLIC_LIKE.test(r)) {
          if (froms.every((f) => allowed.has(`${r} ${f} ${t.to}`) || allowed.has(`${r} * ${t.to}`))) return true;
          refuse(`Did not let "${r}" move "${cname}" items to "${t.to}": anonymous callers never change content`);
          return false;
        }
        if (old && existingRoles.has(r) && !froms.every((f) => allowed.has(`${r} ${f} ${t.to}`) || allowed.has(`${r} * ${t.to}`))) {
          refuse(`Did not let the existing role "${r}" move "${cname}" items from ${froms.join('/')} to "${t.to}": the builder never widens an existing role's rights`);
          return false;
        }
        return true;
      });
    }
    wf.transitions = wf.transitions.filter((t) => t.roles.length > 0);
    if (!wf.transitions.length) {
      if (old) col.workflow = structuredClone(old);
      else delete col.workflow;
    }
  }
}

const MFA_RANK = { off: 0, optional: 1, required: 2 } as const;
const SIGN_UP_RANK = { closed: 0, invite: 1, open: 2 } as const;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const seconds = (d: string) => Number(d.slice(0, -1)) * UNIT_SECONDS[d.at(-1) as keyof typeof UNIT_SECONDS];

function guardAuth(before: Spec, spec: Spec, refuse: (m: string) => void) {
  const was: AuthSection = before.auth ?? {};
  const now: AuthSection = structuredClone(spec.auth ?? {});
  let changed = false;
  const gone = (was.methods ?? []).filter((m) => !(now.methods ?? []).includes(m));
  if (gone.length) {
    now.methods = [...(now.methods ?? []), ...gone];
    changed = true;
    refuse(`Kept the sign-in method${gone.length > 1 ? 's' : ''} ${gone.join(', ')}: the builder never removes a way to sign in`);
  }
  for (const p of was.providers ?? []) {
    const i = (now.providers ?? []).findIndex((q) => q.id === p.id);
    if (i >= 0 && JSON.stringify(now.providers![i]) === JSON.stringify(p)) continue;
    now.providers = [...(now.providers ?? [])];
    if (i >= 0) now.providers[i] = structuredClone(p);
    else now.providers.push(structuredClone(p));
    changed = true;
    refuse(`Kept the identity provider "${p.id}" as it was: the builder never removes or redirects a sign-in provider`);
  }
  if (was.mfa) {
    const weaker = !now.mfa || MFA_RANK[now.mfa.policy] < MFA_RANK[was.mfa.policy] || (was.mfa.policy === 'required' && now.mfa.policy === 'required' && fewerRoles(was.mfa.roles, now.mfa.roles));
    if (weaker) {
      now.mfa = structuredClone(was.mfa);
      changed = true;
      refuse(`Kept multi-factor authentication "${was.mfa.policy}": the builder never weakens it`);
    }
  } else if (now.mfa?.policy === 'off' && before.auth !== undefined && Object.keys(before.auth).length) {
    delete now.mfa;
    changed = true;
    refuse('Did not turn multi-factor authentication off: the builder never weakens it');
  }
  if (was.signUp !== undefined && SIGN_UP_RANK[now.signUp ?? 'open'] > SIGN_UP_RANK[was.signUp]) {
    now.signUp = was.signUp;
    changed = true;
    refuse(`Kept sign-up "${was.signUp}": the builder never opens sign-up wider`);
  }
  if (was.password?.minLength !== undefined && (now.password?.minLength ?? 0) < was.password.minLength) {
    now.password = { ...now.password, minLength: was.password.minLength };
    changed = true;
    refuse(`Kept the minimum password length ${was.password.minLength}: the builder never weakens password rules`);
  }
  for (const k of ['accessToken', 'refreshToken', 'idToken', 'session'] as const) {
    const b = was.tokens?.[k];
    const a = now.tokens?.[k];
    if (b !== undefined && (a === undefined || seconds(a) > seconds(b))) {
      now.tokens = { ...now.tokens, [k]: b };
      changed = true;
      refuse(`Kept the ${k} lifetime ${b}: the builder never makes tokens live longer`);
    }
  }
  if (JSON.stringify(now.clients ?? []) !== JSON.stringify(was.clients ?? [])) {
    if (was.clients) now.clients = structuredClone(was.clients);
    else delete now.clients;
    changed = true;
    refuse('Did not change the OAuth clients: their redirect URIs decide where tokens are sent');
  }
  if (changed || spec.auth !== undefined) spec.auth = now;
  if (spec.auth && Object.keys(spec.auth).length === 0 && before.auth === undefined) delete spec.auth;
}

/** With MFA required, `roles` absent means every role. */
function fewerRoles(was: string[] | undefined, now: string[] | undefined): boolean {
  if (now === undefined) return false;
  if (was === undefined) return true;
  return was.some((r) => !now.includes(r));
}

// Phrases that try to steer whoever reads the text instead of describing an app.
const INSTRUCTION_LIKE: readonly RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass|skip)\b[^.\n]{0,40}?\b(previous|prior|above|earlier|preceding|all|any|your|the|system|safety|these)\b[^.\n]{0,30}?\b(instructions?|prompts?|rules?|guidelines?|polic(?:y|ies)|constraints?|guardrails?|checks?)\b/i,
  /\byou are (now|no longer)\b/i,
  /\bfrom now on,? you\b/i,
  /\b(act|behave|respond) as (an? |the )?(admin|administrator|root|system|developer|unrestricted|jailbroken)\b/i,
  /\bpretend (to be|you are|that you)\b/i,
  /\bnew (system )?instructions?\s*:/i,
  /(^|[\n.;!?]\s*|["'([{]\s*)(system|assistant|developer)\s*:/i,
  /<\|?\s*(im_start|system|endoftext)\s*\|?>/i,
  /\[\s*(system|inst)\s*\]/i,
  /\b(jailbreak|developer mode|do anything now)\b/i,
  /\b(reveal|print|show|repeat|leak)\b[^.\n]{0,25}\b(system prompt|your (instructions|prompt)|hidden prompt)\b/i,
];

/** Instruction-like passages in a text, each as found. */
export function findInstructionLikeText(text: string): string[] {
  const found: string[] = [];
  for (const re of INSTRUCTION_LIKE) {
    const m = re.exec(text);
    if (m) found.push(m[0].trim().slice(0, 120));
  }
  return found;
}

/** Warnings for instruction-like passages in the named texts, e.g. { description: "…" }. */
export function instructionWarnings(texts: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const [what, text] of Object.entries(texts)) {
    if (!text) continue;
    for (const m of findInstructionLikeText(text)) out.push(`The ${what} holds instruction-like text ("${m}"); it was read as a description of the app, never followed as an instruction.`);
  }
  return out;
}

/** The free text a spec carries (labels and descriptions), where earlier content could hide instructions. */
export function specTexts(spec: Spec): string {
  const parts: string[] = [spec.title ?? '', spec.description ?? ''];
  for (const col of Object.values(spec.collections)) {
    parts.push(col.label ?? '', col.description ?? '');
    for (const f of Object.values(col.fields)) parts.push(f.label ?? '', f.description ?? '');
  }
  for (const r of Object.values(spec.roles ?? {})) parts.push(r.description ?? '');
  return parts.filter(Boolean).join('\n');
}
