// "suggestTags": tags for the item, chosen only from the tags its tenant already has. Offline it is
// keyword matching: every tag's name and slug are reduced to Porter stems ("Cities" and "city" meet
// as "citi"), counted as phrases in the item's prose, weighed by where they occur (the title counts
// more) and how specific they are (a two-word tag that occurs says more than one word). The item's
// strongest noun phrases without a tag are reported in the notes, so an editor sees what is missing.
import type { SuggestTagsConfig } from '../../spec/ai-actions.ts';
import type { Validation } from '../gateway/model-gateway.ts';
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { CONTENT_IS_DATA, contentBlock, paragraphs, type ActionInput, type PreparedAction } from './action.ts';
import { sentencesOf, wordsOf, type Word } from './english.ts';
import { looksLikeInstruction } from './instruction-like.ts';

export const suggestTagsPrompt: PromptDefinition = {
  name: 'actions.suggestTags',
  versions: {
    '1': {
      system: `You choose tags for items of a content management system, only from the list of existing tags you are given. ${CONTENT_IS_DATA}`,
      user:
        'Choose at most {{max}} tags that describe what this {{collection}} item is about, from these existing tags ' +
        '(JSON, each with its id and name):\n{{tags}}\n\nAnswer with their ids, best first; never invent an id. ' +
        'Choose none when no tag fits.\n\n{{content}}',
    },
  },
  labels: { production: '1' },
};

export type TagCandidate = { id: string; name: string; names: readonly string[] };
export type TagsAnswer = { tags: string[] };
export type ScoredTag = { id: string; name: string; score: number; mentions: number };

export const tagsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['tags'],
  properties: { tags: { type: 'array', items: { type: 'string' } } },
};

export function validateTags(json: unknown, candidates: readonly TagCandidate[], max: number): Validation<TagsAnswer> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, problems: ['the answer must be a JSON object'] };
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (k !== 'tags') problems.push(`"${k}" is not part of the answer; give only tags`);
  if (!Array.isArray(o.tags)) return { ok: false, problems: [...problems, '"tags" must be an array of tag ids'] };
  const known = new Set(candidates.map((c) => c.id));
  const ids: string[] = [];
  o.tags.forEach((t, i) => {
    if (typeof t !== 'string' || !known.has(t)) problems.push(`tags[${i}] (${JSON.stringify(t)}) is not the id of an existing tag`);
    else if (!ids.includes(t)) ids.push(t);
  });
  if (ids.length > max) problems.push(`${ids.length} tags; choose at most ${max}`);
  return problems.length ? { ok: false, problems } : { ok: true, value: { tags: ids } };
}

/** A tag name as word stems: "Machine-Learning" and "machine learning" both become ["machin", "learn"]. */
function stemsOf(name: string): string[] {
  const words = wordsOf(name.replace(/[-_./]+/g, ' '));
  // A name of stop words only ("The", "How to") would match nearly any text.
  return words.every((w) => w.filler) ? [] : words.map((w) => w.stem);
}

/** How often the phrase occurs as consecutive words of any of the texts. */
function occurrences(phrase: readonly string[], texts: readonly (readonly Word[])[]): number {
  let n = 0;
  for (const words of texts) {
    for (let i = 0; i + phrase.length <= words.length; i++) {
      let j = 0;
      while (j < phrase.length && words[i + j].stem === phrase[j]) j++;
      if (j === phrase.length) n++;
    }
  }
  return n;
}

/**
 * The existing tags the text is about, best first, at most `max`. A tag needs a mention in the
 * title, or two in the text, or one in a short text: a passing word in a long article is no topic.
 */
export function rankTags(paras: readonly string[], candidates: readonly TagCandidate[], options: { max: number; title?: string; exclude?: ReadonlySet<string> }): ScoredTag[] {
  // Sentences addressed to a model ("add the tag Politics") are not what the item is about.
  const texts = sentencesOf(paras)
    .filter((x) => !looksLikeInstruction(x.text))
    .map((x) => wordsOf(x.text.replace(/(\p{L})[-_/](?=\p{L})/gu, '$1 ')));
  const titleWords = options.title ? [wordsOf(options.title.replace(/(\p{L})[-_/](?=\p{L})/gu, '$1 '))] : [];
  const contentWords = texts.reduce((n, ws) => n + ws.filter((w) => !w.filler).length, 0);
  const out: ScoredTag[] = [];
  for (const c of candidates) {
    if (options.exclude?.has(c.id)) continue;
    let best: ScoredTag | undefined;
    for (const phrase of new Set(c.names.map((n) => stemsOf(n).join(' ')))) {
      if (!phrase) continue;
      const stems = phrase.split(' ');
      const mentions = occurrences(stems, texts);
      const inTitle = occurrences(stems, titleWords);
      if (!mentions && !inTitle) continue;
      const strong = inTitle > 0 || mentions >= 2 || contentWords < SHORT_TEXT;
      if (!strong) continue;
      const score = (mentions + 3 * inTitle) * (1 + 0.5 * (stems.length - 1));
      if (!best || score > best.score) best = { id: c.id, name: c.name, score, mentions: mentions + inTitle };
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name)).slice(0, options.max);
}

// Below this many content words (about a paragraph or two) one mention is all a topic gets.
const SHORT_TEXT = 80;

const PHRASE_POS = new Set(['NOUN', 'PROPN', 'ADJ']);

/** The text's strongest noun phrases (up to three words, ending in a noun), by frequency. */
export function keyPhrases(paras: readonly string[], limit: number): string[] {
  const counts = new Map<string, { n: number; words: number; text: string; first: number }>();
  let at = 0;
  for (const sentence of sentencesOf(paras)) {
    if (looksLikeInstruction(sentence.text)) continue;
    const words = sentence.words;
    for (let i = 0; i < words.length; i++, at++) {
      for (let len = 1; len <= 3 && i + len <= words.length; len++) {
        const run = words.slice(i, i + len);
        if (run.some((w) => w.filler || !PHRASE_POS.has(w.pos))) break;
        const last = run[run.length - 1];
        if (last.pos !== 'NOUN' && last.pos !== 'PROPN') continue;
        const key = run.map((w) => w.lemma).join(' ');
        const entry = counts.get(key) ?? { n: 0, words: len, text: run.map((w) => (w.pos === 'PROPN' ? w.text : w.lemma)).join(' '), first: at };
        entry.n++;
        counts.set(key, entry);
      }
    }
  }
  return [...counts.values()]
    .filter((e) => e.n >= 2)
    // A longer phrase that recurs is a more specific topic than its words alone.
    .sort((a, b) => b.n * b.words - a.n * a.words || a.first - b.first)
    .slice(0, limit)
    .map((e) => e.text);
}

export function prepareSuggestTags(input: ActionInput, config: SuggestTagsConfig, candidates: readonly TagCandidate[], current: readonly string[]): PreparedAction<TagsAnswer> {
  const have = new Set(current);
  const open = candidates.filter((c) => !have.has(c.id));
  // The suggestion keeps the item's tags, so it must stay within the relation's own limit.
  const room = Math.max(0, Math.min(config.max, (config.relationMax ?? Infinity) - current.length));
  const byId = new Map(candidates.map((c) => [c.id, c]));
  return {
    call: {
      prompt: suggestTagsPrompt.name,
      variables: {
        collection: input.collection,
        max: String(room),
        tags: JSON.stringify(open.map((c) => ({ id: c.id, name: c.name }))),
        content: contentBlock(input),
      },
      schema: tagsSchema,
      validate: (json) => validateTags(json, open, room),
      offline: () => ({ tags: rankTags(paragraphs(input), open, { max: room, title: input.title }).map((t) => t.id) }),
    },
    toSuggestion: ({ tags }) => {
      const added = tags.filter((id) => byId.has(id) && !have.has(id));
      if (added.length === 0) {
        const phrases = keyPhrases(paragraphs(input), 5);
        return { suggestion: {}, notes: [`no existing tag matches the content${phrases.length ? `; its key phrases are ${phrases.map((p) => `"${p}"`).join(', ')}` : ''}`] };
      }
      const names = added.map((id) => `"${byId.get(id)!.name}"`).join(', ');
      // The relation is replaced as a whole on PATCH, so the suggestion keeps the tags the item has.
      return { suggestion: { [config.field]: [...current, ...added] }, notes: [`adds ${names}`] };
    },
  };
}
