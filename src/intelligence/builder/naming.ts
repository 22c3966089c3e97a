// How words in a request become spec names and find the names a spec already has: collections are
// plural camelCase ("blogPosts"), fields camelCase ("startDate"), and people say either number.
import type { Collection, Spec } from '../../spec/schema.ts';
import { camel, plural, singular, words } from './planner/inflect.ts';

const NAME = /^[a-z][a-zA-Z0-9_]{0,29}$/;

// The planner's English rules, so a name the editor makes is the name the planner would have made.
export const pluralOf = (word: string): string => plural(word);
export const singularOf = (word: string): string => (/[A-Z]/.test(word) ? word.replace(/[A-Z]?[a-z0-9]+$/, (last) => keepCase(last, singular(last))) : singular(word));

function keepCase(original: string, replacement: string): string {
  return original[0] === original[0].toUpperCase() ? replacement[0].toUpperCase() + replacement.slice(1) : replacement;
}

/** "start date" → "startDate"; null when the words make no valid name. */
export function camelName(phrase: string): string | null {
  const ws = words(phrase.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''));
  if (!ws.length) return null;
  const name = camel(ws);
  return NAME.test(name) ? name : null;
}

/** A collection name for a noun phrase: the plural of its last word ("blog post" → "blogPosts"). */
export function collectionNameOf(phrase: string): string | null {
  const ws = words(phrase);
  if (!ws.length) return null;
  const last = ws[ws.length - 1];
  // Already plural ("topics", "people"): kept as written rather than pluralized twice.
  ws[ws.length - 1] = singular(last) !== last || (/[^su]s$/.test(last) && !/(ss|is|us)$/.test(last)) ? last : plural(last);
  return camelName(ws.join(' '));
}

/** A to-one field name for a noun phrase: its singular ("categories" → "category"). */
export function singularNameOf(phrase: string): string | null {
  const ws = words(phrase);
  if (!ws.length) return null;
  ws[ws.length - 1] = singular(ws[ws.length - 1]);
  return camelName(ws.join(' '));
}

const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Variants of a phrase that may name the same thing: as written, singular and plural of the last word. */
function variants(phrase: string): Set<string> {
  const words = phrase.trim().split(/\s+/).filter(Boolean);
  if (!words.length) return new Set();
  const last = words[words.length - 1];
  const head = words.slice(0, -1).join(' ');
  const out = new Set<string>();
  for (const l of [last, singularOf(last), pluralOf(singularOf(last))]) out.add(fold(`${head} ${l}`));
  return out;
}

/** The collection a phrase names ("Article", "blog posts", "the posts collection"), matched loosely. */
export function findCollection(spec: Spec, phrase: string): string | null {
  const cleaned = phrase.replace(/\b(the|a|an|each|every|all|any|of|our|my|its|their|collection|collections|table|content type|items?)\b/gi, ' ').trim();
  if (!cleaned) return null;
  const wanted = variants(cleaned);
  for (const name of Object.keys(spec.collections)) {
    const own = [name, singularOf(name), pluralOf(singularOf(name)), spec.collections[name].label ?? ''].map(fold).filter(Boolean);
    if (own.some((n) => wanted.has(n))) return name;
  }
  return null;
}

/** The field of a collection a phrase names ("publish date" → publishedAt is not guessed; "start date" → startDate). */
export function findField(col: Collection, phrase: string): string | null {
  const cleaned = phrase.replace(/\b(the|a|an|field|its|their|property|attribute)\b/gi, ' ').trim();
  if (!cleaned) return null;
  const wanted = variants(cleaned);
  for (const [name, f] of Object.entries(col.fields)) {
    if (wanted.has(fold(name)) || (f.label && wanted.has(fold(f.label)))) return name;
  }
  return null;
}

/** Every collection holding a field the phrase names. */
export function collectionsWithField(spec: Spec, phrase: string): { collection: string; field: string }[] {
  const out: { collection: string; field: string }[] = [];
  for (const [name, col] of Object.entries(spec.collections)) {
    const f = findField(col, phrase);
    if (f) out.push({ collection: name, field: f });
  }
  return out;
}
