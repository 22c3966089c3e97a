// The small vocabularies of an edit request: how clauses and lists are split, which words name a
// field type, an action of a role, or the anonymous public.
import type { Action, Field, FieldType } from '../../spec/schema.ts';
import { sentences } from './planner/nlp.ts';

const FILLER = /^(?:(?:please|also|then|and then|now|next|finally|ok(?:ay)?|so|and|i want to|i'd like to|i would like to|we want to|we need to|i need to|let's|lets|can you|could you|would you|you should|we should|it should)\s*,?\s+)+/i;

/** Clauses of a request: sentences, then parts joined by ";" or "and then". */
export function clausesOf(request: string): string[] {
  const out: string[] = [];
  for (const s of sentences(request.replace(/\r?\n+/g, '. '))) {
    for (const part of s.split(/\s*;\s*|,?\s+and then\s+|,\s*then\s+|,\s*also\s+|\.\s+/i)) {
      // A speaker label ("system:", "assistant:") is not part of any edit; guard.ts reports it.
      // Neither is an order to ignore instructions: what follows it is read as the edit it is.
      const c = part
        .replace(/[.!?]+$/, '')
        .replace(/^(?:(?:system|assistant|user|developer)\s*:\s*)+/i, '')
        .replace(/^(?:please\s+)?(?:ignore|disregard|forget|override)\b.{0,60}?\b(?:instructions?|rules?|prompts?|guidelines?)\b\s*(?:and|,|:|;|-)?\s*(?:then\s+)?/i, '')
        .replace(FILLER, '')
        .trim();
      if (c) out.push(c);
    }
  }
  return out;
}

const ARTICLE = /^(?:a|an|the|some|one|each|every|its|their)\s/i;
// A phrase that lists values: the single words after it are its values, not new fields.
const LISTS_VALUES = /:|\b(?:one of|either|values?|options?|choices?|can be|could be|such as|like)\b/i;

/** "a title, a start date and a location" → three phrases; "a status: draft, review and published" stays one. */
export function splitPhrases(list: string): string[] {
  // "date and time" is one thing, not two fields.
  const pieces = list
    .replace(/\b(date|day) and time\b/gi, '$1-and-time')
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+as well as\s+|\s+plus\s+/i)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const p of pieces) {
    const prev = out.at(-1);
    if (prev !== undefined && LISTS_VALUES.test(prev) && !ARTICLE.test(p)) out[out.length - 1] = `${prev}, ${p}`;
    else out.push(p);
  }
  return out;
}

/** Leading quantity words: whether they ask for a list ("many tags") or one ("a category"). */
export function quantity(phrase: string): { rest: string; many: boolean | undefined } {
  const m = /^(?:(many|several|multiple|some|any number of|one or more|a list of|lists of|lots of|a few|a set of|zero or more|all)|(a|an|one|a single|the|exactly one|at most one|its|their))\s+(.+)$/i.exec(phrase.trim());
  if (!m) return { rest: phrase.trim(), many: undefined };
  return { rest: m[3].trim(), many: m[1] !== undefined ? true : false };
}

type TypeWord = { pattern: RegExp; field: Field };
// Order matters: the longer phrase first ("date and time" before "date", "rich text" before "text").
const TYPE_WORDS: readonly TypeWord[] = [
  { pattern: /^(?:date ?and ?time|date ?time|timestamp|time)$/, field: { type: 'datetime' } },
  { pattern: /^date$/, field: { type: 'date' } },
  { pattern: /^(?:rich ?text|formatted text|html|markdown)$/, field: { type: 'richtext' } },
  { pattern: /^(?:long text|text|paragraph|text area|textarea|multi-?line text)$/, field: { type: 'text' } },
  { pattern: /^(?:string|short text|single-?line text|line of text|word)$/, field: { type: 'string' } },
  { pattern: /^(?:integer|int|whole number|count)$/, field: { type: 'integer' } },
  { pattern: /^(?:decimal|money|currency|amount of money|price|exact number)$/, field: { type: 'decimal' } },
  { pattern: /^(?:number|float|floating point number|numeric|real number)$/, field: { type: 'number' } },
  { pattern: /^(?:boolean|bool|flag|checkbox|toggle|switch|yes\/no|yes or no|true\/false)$/, field: { type: 'boolean' } },
  { pattern: /^(?:e-?mail|e-?mail address)$/, field: { type: 'email' } },
  { pattern: /^(?:url|link|web address|website)$/, field: { type: 'url' } },
  { pattern: /^slug$/, field: { type: 'slug' } },
  { pattern: /^json(?: object)?$/, field: { type: 'json' } },
  { pattern: /^(?:image|picture|photo)$/, field: { type: 'media', accept: ['image/*'] } },
  { pattern: /^(?:file|media|attachment|upload)$/, field: { type: 'media' } },
];

/** The field type a few words name ("a whole number", "date and time"), or null. */
export function typeFromWords(words: string): Field | null {
  const w = words.toLowerCase().replace(/^(?:a|an|the)\s+/, '').replace(/\s+(?:field|value|type)$/, '').trim();
  for (const t of TYPE_WORDS) if (t.pattern.test(w)) return structuredClone(t.field);
  return null;
}

const COMMON_KEYS = ['label', 'description', 'required', 'unique', 'index', 'searchable', 'renamedFrom'] as const;
const STRINGLIKE: ReadonlySet<FieldType> = new Set(['string', 'text', 'richtext', 'slug']);

/** A field's definition changed to another type, keeping the options that still mean the same. */
export function retype(before: Field, to: Field): Field {
  const out: Record<string, unknown> = { ...to };
  for (const k of COMMON_KEYS) if (before[k] !== undefined) out[k] = before[k];
  if (STRINGLIKE.has(before.type) && STRINGLIKE.has(to.type) && 'max' in before && before.max !== undefined) out.max = before.max;
  const NUMERIC = ['integer', 'number', 'decimal'];
  if (NUMERIC.includes(before.type) && NUMERIC.includes(to.type)) {
    for (const k of ['min', 'max'] as const) {
      const v = Number((before as Record<string, unknown>)[k]);
      if ((before as Record<string, unknown>)[k] !== undefined && Number.isFinite(v) && (to.type !== 'integer' || Number.isInteger(v))) out[k] = v;
    }
  }
  if (to.type === 'boolean' || to.type === 'json') {
    delete out.unique;
    delete out.searchable;
  }
  if (to.type === 'decimal') Object.assign(out, { precision: 12, scale: 2 });
  return out as Field;
}

const ACTION_WORDS: readonly [RegExp, readonly Action[]][] = [
  [/^(?:manage|administer|control|do anything with|do everything with|have full access to|own)$/, ['read', 'create', 'update', 'delete']],
  [/^(?:read|view|see|browse|list|access|look at|open)$/, ['read']],
  [/^(?:create|add|write|submit|post|make|upload|propose|suggest)$/, ['create']],
  [/^(?:edit|update|change|modify|correct|revise|moderate)$/, ['update']],
  [/^(?:delete|remove|erase|destroy|drop)$/, ['delete']],
];

/** "edit and delete" → ["update", "delete"]; null when a word is not an action. */
export function actionsFromWords(text: string): Action[] | null {
  const parts = text
    .toLowerCase()
    .split(/\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*\/\s*/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return null;
  const out = new Set<Action>();
  for (const p of parts) {
    const hit = ACTION_WORDS.find(([re]) => re.test(p));
    if (!hit) return null;
    for (const a of hit[1]) out.add(a);
  }
  return [...out];
}

/** Action verbs as one alternation, longest first, for clause patterns. */
export const ACTION_VERBS = 'do anything with|do everything with|have full access to|administer|manage|control|own|read|view|see|browse|list|access|look at|open|create|add|write|submit|post|make|upload|propose|suggest|edit|update|change|modify|correct|revise|moderate|delete|remove|erase|destroy|drop';

/** Words for callers who are not signed in; the runtime calls their role "public". */
export const PUBLIC_WORDS = /^(?:the\s+)?(?:public|anyone|everyone|everybody|anybody|visitors?|guests?|anonymous(?: users| visitors| callers)?|the world|readers|unauthenticated users|people who are not signed in|logged[- ]out users)$/i;
