// A collection's AI actions with their defaults filled in, and the semantic checks on them. The
// checks (run by checkSpec) and the runtime (src/intelligence/actions) read the same resolution, so
// what `kiln spec check` accepts is exactly what the actions run with.
import type { AiActionName, Collection, Field, Spec } from './schema.ts';

type Err = (path: PropertyKey[], message: string, fix: string) => void;

export const AI_ACTION_NAMES: readonly AiActionName[] = ['summarize', 'seo', 'suggestTags', 'translate'];

/** Field types that hold prose an action can read or write. */
const TEXT_TYPES: ReadonlySet<Field['type']> = new Set(['string', 'text', 'richtext']);

// Search engines show about this much; longer texts are cut off in results.
export const SEO_TITLE_MAX = 60;
export const SEO_DESCRIPTION_MAX = 160;

export type SummarizeConfig = { from: string[]; to: string; sentences: number; maxLength: number | undefined };
export type SeoConfig = { from: string[]; titleSource: string | undefined; title: string | undefined; description: string | undefined; titleMax: number; descriptionMax: number };
export type SuggestTagsConfig = { field: string; from: string[]; max: number; relationMax: number | undefined; tags: string; matchOn: string[] };
export type TranslateConfig = { fields: string[]; languages: string[] };
export type AiActionConfigs = { summarize?: SummarizeConfig; seo?: SeoConfig; suggestTags?: SuggestTagsConfig; translate?: TranslateConfig };

const isText = (f: Field | undefined): boolean => f !== undefined && TEXT_TYPES.has(f.type);
const maxOf = (f: Field | undefined): number | undefined => (f && 'max' in f && typeof f.max === 'number' ? f.max : undefined);

/** The default sources: searchable prose fields, else every prose field; never a target of the action. */
function defaultSources(col: Collection, exclude: ReadonlyArray<string | undefined>): string[] {
  const prose = Object.entries(col.fields).filter(([n, f]) => isText(f) && !exclude.includes(n));
  const searchable = prose.filter(([, f]) => f.searchable);
  return (searchable.length ? searchable : prose).map(([n]) => n);
}

/** Fields of the tags collection a tag is recognised by: its title field, name/title, and slugs. */
function matchFieldsOf(col: Collection | undefined): string[] {
  if (!col) return [];
  const names = new Set<string>();
  if (col.titleField && isText(col.fields[col.titleField])) names.add(col.titleField);
  for (const [n, f] of Object.entries(col.fields)) {
    if ((n === 'name' || n === 'title' || n === 'label') && isText(f)) names.add(n);
    if (f.type === 'slug') names.add(n);
  }
  return [...names];
}

/** The collection's declared actions with defaults applied. Assumes a spec that passed checkSpec. */
export function aiActionsOf(spec: Spec, collection: string): AiActionConfigs {
  const col = spec.collections[collection];
  const a = col?.ai?.actions;
  if (!col || !a) return {};
  const out: AiActionConfigs = {};
  if (a.summarize) {
    const to = a.summarize.to ?? 'summary';
    out.summarize = { to, from: a.summarize.from ?? defaultSources(col, [to]), sentences: a.summarize.sentences ?? 3, maxLength: maxOf(col.fields[to]) };
  }
  if (a.seo) {
    const { title, description } = a.seo;
    const titleSource = col.titleField && isText(col.fields[col.titleField]) && col.titleField !== title ? col.titleField : undefined;
    out.seo = {
      title,
      description,
      titleSource,
      from: a.seo.from ?? defaultSources(col, [title, description]),
      titleMax: Math.min(SEO_TITLE_MAX, (title && maxOf(col.fields[title])) || SEO_TITLE_MAX),
      descriptionMax: Math.min(SEO_DESCRIPTION_MAX, (description && maxOf(col.fields[description])) || SEO_DESCRIPTION_MAX),
    };
  }
  if (a.suggestTags) {
    const rel = col.fields[a.suggestTags.field];
    const tags = rel?.type === 'relation' ? rel.to : '';
    const relMax = rel?.type === 'relation' ? rel.max : undefined;
    out.suggestTags = {
      field: a.suggestTags.field,
      from: a.suggestTags.from ?? defaultSources(col, []),
      max: Math.min(a.suggestTags.max ?? 5, relMax ?? 50),
      relationMax: relMax,
      tags,
      matchOn: matchFieldsOf(spec.collections[tags]),
    };
  }
  if (a.translate) out.translate = { fields: a.translate.fields, languages: a.translate.languages.map(canonicalLanguage) };
  return out;
}

function canonicalLanguage(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? tag;
  } catch {
    return tag;
  }
}

/** Semantic checks of `collections.<name>.ai.actions`: every named field exists and fits its role. */
export function checkAiActions(spec: Spec, cname: string, err: Err): void {
  const col = spec.collections[cname];
  const a = col.ai?.actions;
  if (!a) return;
  const base = ['collections', cname, 'ai', 'actions'];
  const fieldNames = Object.keys(col.fields);
  const proseNames = fieldNames.filter((n) => isText(col.fields[n]));
  const proseList = proseNames.join(', ') || '(none: add a string, text or richtext field)';

  const textField = (name: string, path: PropertyKey[], role: string) => {
    const f = col.fields[name];
    if (!f) err(path, `${role} "${name}" is not a field of "${cname}"`, `Use one of: ${proseList}.`);
    else if (!isText(f)) err(path, `${role} "${name}" is a ${f.type} field, not text`, `Use a string, text or richtext field: ${proseList}.`);
  };
  const sources = (from: string[] | undefined, path: PropertyKey[], targets: ReadonlyArray<string | undefined>, resolved: string[]) => {
    if (from) {
      from.forEach((n, i) => {
        textField(n, [...path, 'from', i], 'source field');
        if (targets.includes(n)) err([...path, 'from', i], `"${n}" is both a source and the target of this action`, 'Read from other fields than the one the suggestion is for.');
      });
      if (new Set(from).size !== from.length) err([...path, 'from'], 'a source field is listed twice', 'List each field once.');
    } else if (resolved.length === 0) {
      err([...path, 'from'], `"${cname}" has no text field for this action to read`, 'Add "from" with string, text or richtext fields.');
    }
  };
  const resolved = aiActionsOf(spec, cname);

  if (a.summarize) {
    const path = [...base, 'summarize'];
    const to = a.summarize.to ?? 'summary';
    if (a.summarize.to === undefined && !col.fields.summary) {
      err([...path, 'to'], `summarize needs a target field and "${cname}" has no "summary" field`, `Set "to" to the text field the summary is for: ${proseList}.`);
    } else textField(to, [...path, 'to'], 'the summary field');
    const max = maxOf(col.fields[to]);
    if (max !== undefined && max < 40) err([...path, 'to'], `"${to}" holds at most ${max} characters, too few for a summary`, 'Raise its "max" to at least 40, or choose a longer field.');
    sources(a.summarize.from, path, [to], resolved.summarize?.from ?? []);
  }
  if (a.seo) {
    const path = [...base, 'seo'];
    const { title, description } = a.seo;
    if (title === undefined && description === undefined) {
      err(path, 'seo names no target field', `Set "title" and/or "description" to the fields the SEO title and meta description are for: ${proseList}.`);
    }
    if (title !== undefined) textField(title, [...path, 'title'], 'the SEO title field');
    if (description !== undefined) textField(description, [...path, 'description'], 'the meta description field');
    if (title !== undefined && title === description) err([...path, 'description'], 'the SEO title and the meta description name the same field', 'Use two different fields.');
    for (const k of ['title', 'description'] as const) {
      const n = a.seo[k];
      const max = n ? maxOf(col.fields[n]) : undefined;
      if (max !== undefined && max < 20) err([...path, k], `"${n}" holds at most ${max} characters, too few for SEO text`, 'Raise its "max" to at least 20.');
    }
    sources(a.seo.from, path, [title, description], resolved.seo?.from ?? []);
  }
  if (a.suggestTags) {
    const path = [...base, 'suggestTags'];
    const f = col.fields[a.suggestTags.field];
    const relations = fieldNames.filter((n) => col.fields[n].type === 'relation' && (col.fields[n] as { many?: boolean }).many);
    if (!f) err([...path, 'field'], `"${a.suggestTags.field}" is not a field of "${cname}"`, `Use a many-relation to the tags collection: ${relations.join(', ') || '(none: add one, for example "tags": {"type": "relation", "to": "tags", "many": true})'}.`);
    else if (f.type !== 'relation' || !f.many) err([...path, 'field'], `"${a.suggestTags.field}" is a ${f.type === 'relation' ? 'to-one relation' : `${f.type} field`}, not a many-relation`, `Use a relation with "many": true: ${relations.join(', ') || '(none)'}.`);
    else if (spec.collections[f.to] && matchFieldsOf(spec.collections[f.to]).length === 0) {
      err([...path, 'field'], `tags in "${f.to}" have no name to match: it has no text titleField, name, title or slug field`, `Give "${f.to}" a "titleField" naming a string field.`);
    }
    sources(a.suggestTags.from, path, [], resolved.suggestTags?.from ?? []);
  }
  if (a.translate) {
    const path = [...base, 'translate'];
    a.translate.fields.forEach((n, i) => textField(n, [...path, 'fields', i], 'the field to translate'));
    if (new Set(a.translate.fields).size !== a.translate.fields.length) err([...path, 'fields'], 'a field is listed twice', 'List each field once.');
    const seen = new Map<string, number>();
    a.translate.languages.forEach((tag, i) => {
      let canonical: string;
      try {
        canonical = Intl.getCanonicalLocales(tag)[0];
      } catch {
        err([...path, 'languages', i], `"${tag}" is not a valid BCP 47 language tag`, 'Use a tag such as "de", "fr-CA" or "zh-Hant".');
        return;
      }
      if (seen.has(canonical)) err([...path, 'languages', i], `"${tag}" is the same language as entry ${seen.get(canonical)}`, 'List each language once.');
      else seen.set(canonical, i);
    });
  }
}
