// Runs one AI content action on one item: reads the item (and the tenant's tags) through the store
// with the caller's identity, so tenant scope and roles apply exactly as for a PATCH, asks the
// gateway, and turns the answer into a suggestion. It writes nothing: an editor accepts a suggestion
// by saving it with an ordinary PATCH of the item.
import { AI_ACTION_NAMES, aiActionsOf, type AiActionConfigs } from '../../spec/ai-actions.ts';
import type { AiActionName, Field } from '../../spec/schema.ts';
import type { Scope, Store } from '../../data/store.ts';
import { DataError, notFound } from '../../data/errors.ts';
import type { Item } from '../../data/read-items.ts';
import type { ModelGateway } from '../gateway/model-gateway.ts';
import type { ActionInput, PreparedAction, Suggestion } from './action.ts';
import { plainText } from './plain-text.ts';
import { prepareSummarize } from './summarize.ts';
import { prepareSeo } from './seo.ts';
import { prepareSuggestTags, type TagCandidate } from './suggest-tags.ts';
import { prepareTranslate } from './translate.ts';

export type AiActionResult = {
  action: AiActionName;
  /** Field → value to set if the editor accepts: PATCH the item with exactly this object. */
  suggestion: Record<string, unknown>;
  source: 'model' | 'cache' | 'offline';
  promptVersion: string;
  notes: string[];
  /** The call in the AI log (`kiln ai log`). */
  callId: string;
};

export type AiActionRequest = { scope: Scope; collection: string; id: string; action: string; body: unknown; idempotencyKey?: string };

// Enough prose for any summary or tag; keeps a huge richtext field from stalling the offline algorithms.
const MAX_SOURCE_CHARS = 100_000;
// Tags are read page by page; a tenant with more than this many is told so in the notes.
const TAG_PAGE = 200;
const MAX_TAG_PAGES = 25;

/** The actions a collection declares, by name, or a 404 naming the ones it has. */
export function declaredAction(store: Store, collection: string, action: string): { name: AiActionName; configs: AiActionConfigs } {
  const configs = aiActionsOf(store.spec, collection);
  const declared = AI_ACTION_NAMES.filter((a) => configs[a] !== undefined);
  if (!(AI_ACTION_NAMES as readonly string[]).includes(action) || !declared.includes(action as AiActionName)) {
    const has = declared.length ? `it declares ${declared.join(', ')}` : `it declares none (add "ai": {"actions": …} to the collection in the spec)`;
    const known = (AI_ACTION_NAMES as readonly string[]).includes(action) ? '' : ` Kiln's actions are ${AI_ACTION_NAMES.join(', ')}.`;
    throw new DataError('not_found', `"${collection}" has no AI action "${action}": ${has}.${known}`, [{ field: 'action', detail: `"${action}" is not an AI action of ${collection}` }]);
  }
  return { name: action as AiActionName, configs };
}

function requestBody(body: unknown, action: AiActionName): { language?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new DataError('invalid_body', 'The body must be a JSON object', [{ field: '', detail: 'must be an object' }]);
  const o = body as Record<string, unknown>;
  const allowed = action === 'translate' ? ['language'] : [];
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) {
    throw new DataError('invalid_body', `Invalid ${extra.map((k) => `"${k}"`).join(', ')}`, extra.map((k) => ({ field: k, detail: allowed.length ? `is not a parameter of ${action}; it takes ${allowed.join(', ')}` : `${action} takes no parameters` })));
  }
  if (o.language !== undefined && typeof o.language !== 'string') throw new DataError('invalid_body', 'Invalid "language"', [{ field: 'language', detail: 'must be a BCP 47 language tag' }]);
  return { language: o.language as string | undefined };
}

const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, MAX_SOURCE_CHARS) : '');

export async function runAiAction(deps: { store: Store; gateway: ModelGateway }, req: AiActionRequest): Promise<AiActionResult> {
  const { store, gateway } = deps;
  const cm = store.model.collections.get(req.collection);
  if (!cm) throw notFound(`No collection "${req.collection}"`);
  const { name, configs } = declaredAction(store, req.collection, req.action);
  // A suggestion is only useful to someone who could save it; anyone else learns nothing here.
  store.authorize(req.scope.actor, 'update', req.collection, req.scope.tenant);
  const body = requestBody(req.body, name);
  const item = await store.get(req.scope, req.collection, req.id);
  // An "own" rule: only the item's creator could save the suggestion.
  await store.authorizeItem(req.scope, req.collection, req.id, 'update');
  const titleField = cm.spec.titleField;
  const title = titleField && typeof item[titleField] === 'string' ? plainText(text(item[titleField])) || undefined : undefined;
  const proseOf = (fields: readonly string[]): ActionInput => ({ collection: req.collection, title, sources: fields.map((f) => ({ field: f, text: plainText(text(item[f])) })) });
  const needText = (input: ActionInput, fields: readonly string[], orTitle = false) => {
    if (input.sources.some((s) => s.text.trim()) || (orTitle && title)) return;
    throw new DataError('invalid_body', `This ${req.collection} item has no text in ${fields.join(', ')} for ${name} to work with`, fields.map((f) => ({ field: f, detail: 'is empty' })));
  };

  let prepared: PreparedAction<unknown>;
  const extraNotes: string[] = [];
  switch (name) {
    case 'summarize': {
      const c = configs.summarize!;
      const input = proseOf(c.from);
      needText(input, c.from);
      prepared = prepareSummarize(input, c) as PreparedAction<unknown>;
      break;
    }
    case 'seo': {
      const c = configs.seo!;
      const input = proseOf(c.from);
      needText(input, c.from, c.titleSource !== undefined);
      prepared = prepareSeo(input, c) as PreparedAction<unknown>;
      break;
    }
    case 'suggestTags': {
      const c = configs.suggestTags!;
      const input = proseOf(c.from);
      needText(input, c.from, true);
      const { candidates, complete } = await existingTags(store, req.scope, c.tags, c.matchOn, store.spec.collections[c.tags]?.titleField);
      if (!complete) extraNotes.push(`only the first ${TAG_PAGE * MAX_TAG_PAGES} tags were considered`);
      const current = Array.isArray(item[c.field]) ? (item[c.field] as string[]) : [];
      prepared = prepareSuggestTags(input, c, candidates, current) as PreparedAction<unknown>;
      break;
    }
    case 'translate': {
      const c = configs.translate!;
      const language = pickLanguage(body.language, c.languages);
      // Translations keep the markup, so the model gets the raw values.
      const input: ActionInput = { collection: req.collection, title, sources: c.fields.map((f) => ({ field: f, text: text(item[f]) })) };
      needText(input, c.fields);
      const maxLengths = Object.fromEntries(c.fields.map((f) => [f, maxLengthOf(cm.spec.fields[f])]));
      prepared = prepareTranslate(input, c, language, maxLengths) as PreparedAction<unknown>;
      break;
    }
  }
  const result = await gateway.run({
    ...prepared.call,
    tenant: req.scope.tenant,
    ...(req.idempotencyKey !== undefined && { idempotencyKey: `ai:${req.collection}:${req.id}:${name}:${req.idempotencyKey}` }),
  });
  const s: Suggestion = prepared.toSuggestion(result.value);
  // Whatever the answer held, only the fields this action is declared for can be suggested.
  const allowed = targetsOf(name, configs);
  const suggestion = Object.fromEntries(Object.entries(s.suggestion).filter(([k]) => allowed.includes(k)));
  return { action: name, suggestion, source: result.source, promptVersion: result.promptVersion, notes: [...s.notes, ...extraNotes, ...result.notes], callId: result.callId };
}

/** The fields an action may suggest values for. */
export function targetsOf(name: AiActionName, configs: AiActionConfigs): string[] {
  switch (name) {
    case 'summarize':
      return [configs.summarize!.to];
    case 'seo':
      return [configs.seo!.title, configs.seo!.description].filter((f): f is string => f !== undefined);
    case 'suggestTags':
      return [configs.suggestTags!.field];
    case 'translate':
      return configs.translate!.fields;
  }
}

function maxLengthOf(field: Field | undefined): number | undefined {
  return field && 'max' in field && typeof field.max === 'number' ? field.max : undefined;
}

function pickLanguage(asked: string | undefined, languages: readonly string[]): string {
  if (asked === undefined) {
    if (languages.length === 1) return languages[0];
    throw new DataError('invalid_body', 'Say which language to translate into', [{ field: 'language', detail: `is required: one of ${languages.join(', ')}` }]);
  }
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(asked)[0];
  } catch {
    canonical = undefined;
  }
  const match = languages.find((l) => l === canonical);
  if (!match) throw new DataError('invalid_body', `"${asked}" is not a language this collection translates into`, [{ field: 'language', detail: `must be one of ${languages.join(', ')}` }]);
  return match;
}

async function existingTags(store: Store, scope: Scope, collection: string, matchOn: readonly string[], titleField: string | undefined): Promise<{ candidates: TagCandidate[]; complete: boolean }> {
  const candidates: TagCandidate[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TAG_PAGES; page++) {
    const r = await store.list(scope, collection, { limit: String(TAG_PAGE), sort: 'id', ...(cursor !== undefined && { cursor }) });
    for (const t of r.data) candidates.push(tagOf(t, matchOn, titleField));
    if (!r.meta.next_cursor) return { candidates, complete: true };
    cursor = r.meta.next_cursor;
  }
  return { candidates, complete: false };
}

function tagOf(t: Item, matchOn: readonly string[], titleField: string | undefined): TagCandidate {
  const names = matchOn.map((f) => t[f]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  const display = titleField && typeof t[titleField] === 'string' ? (t[titleField] as string) : (names[0] ?? String(t.id));
  return { id: String(t.id), name: display, names };
}
