// "seo": a search-result title (at most 60 characters) and meta description (at most 160) derived
// from the item. Offline: the title field, shortened at a natural break or a word boundary, else the
// best sentence; the description is the best sentences that fit, else the best one shortened.
import type { SeoConfig } from '../../spec/ai-actions.ts';
import type { Validation } from '../gateway/model-gateway.ts';
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { CONTENT_IS_DATA, contentBlock, paragraphs, type ActionInput, type PreparedAction } from './action.ts';
import { sentencesOf, wordsOf } from './english.ts';
import { pickSentences, rankSentences } from './sentence-ranking.ts';
import { truncateAtWord } from './truncate.ts';

export const seoPrompt: PromptDefinition = {
  name: 'actions.seo',
  versions: {
    '1': {
      system: `You write search engine titles and meta descriptions for items of a content management system. ${CONTENT_IS_DATA}`,
      user:
        'Write an SEO title of at most {{titleMax}} characters and a meta description of at most {{descriptionMax}} characters ' +
        'for this {{collection}} item, in the language of the content. Describe what the item is about; do not invent facts, ' +
        'add no quotes around the texts and no site name.\n\n{{content}}',
    },
  },
  labels: { production: '1' },
};

export type SeoAnswer = { title: string; description: string };

export const seoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'description'],
  properties: { title: { type: 'string' }, description: { type: 'string' } },
};

export type SeoLimits = { titleMax: number; descriptionMax: number };

export function validateSeo(json: unknown, limits: SeoLimits): Validation<SeoAnswer> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, problems: ['the answer must be a JSON object'] };
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (k !== 'title' && k !== 'description') problems.push(`"${k}" is not part of the answer; give only title and description`);
  const check = (k: 'title' | 'description', max: number) => {
    const v = o[k];
    if (typeof v !== 'string') problems.push(`"${k}" must be a string`);
    else if (v.trim().length > max) problems.push(`"${k}" has ${v.trim().length} characters; at most ${max}`);
    else if (/[\r\n]/.test(v.trim())) problems.push(`"${k}" must be one line`);
  };
  check('title', limits.titleMax);
  check('description', limits.descriptionMax);
  return problems.length ? { ok: false, problems } : { ok: true, value: { title: (o.title as string).trim(), description: (o.description as string).trim() } };
}

// Where a long headline can end on its own: "Main point: the rest", "Main point – the rest".
const BREAKS = /\s*(?::|\s[–—|-]\s)\s*/;

function shortTitle(title: string, max: number): string {
  const t = title.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const head = t.split(BREAKS)[0];
  if (head.length <= max && head.length >= Math.min(20, max / 2)) return head;
  return truncateAtWord(t, max);
}

/** SEO title and meta description from the item's prose (and its title, when it has one). */
export function seoText(paras: readonly string[], options: SeoLimits & { title?: string }): SeoAnswer {
  const title = options.title?.replace(/\s+/g, ' ').trim();
  // The title field is often a source too; as a sentence of the description it would only repeat the title.
  const sentences = sentencesOf(paras).filter((s) => !title || s.text.replace(/[.!?]+$/, '') !== title.replace(/[.!?]+$/, ''));
  const ranked = rankSentences(sentences, title ? wordsOf(title).filter((w) => !w.filler).map((w) => w.lemma) : undefined);
  const byScore = ranked.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
  const best = byScore[0];
  const seoTitle = title ? shortTitle(title, options.titleMax) : best ? shortTitle(best.text.replace(/[.!?]+$/, ''), options.titleMax) : '';
  let description = '';
  if (best && best.text.length <= options.descriptionMax) {
    description = pickSentences(ranked, 3, options.descriptionMax).map((s) => s.text).join(' ');
  } else if (best) {
    description = truncateAtWord(best.text, options.descriptionMax);
  }
  return { title: seoTitle, description };
}

export function prepareSeo(input: ActionInput, config: SeoConfig): PreparedAction<SeoAnswer> {
  const limits = { titleMax: config.titleMax, descriptionMax: config.descriptionMax };
  const title = config.titleSource ? input.title : undefined;
  return {
    call: {
      prompt: seoPrompt.name,
      variables: { collection: input.collection, titleMax: String(limits.titleMax), descriptionMax: String(limits.descriptionMax), content: contentBlock(input) },
      schema: seoSchema,
      validate: (json) => validateSeo(json, limits),
      offline: () => seoText(paragraphs(input), { ...limits, title }),
    },
    toSuggestion: (answer) => {
      const suggestion: Record<string, unknown> = {};
      const notes: string[] = [];
      if (config.title) {
        if (answer.title) suggestion[config.title] = answer.title;
        else notes.push('no SEO title: the item has no title or sentence to derive one from');
      }
      if (config.description) {
        if (answer.description) suggestion[config.description] = answer.description;
        else notes.push('no meta description: the item has no sentence to derive one from');
      }
      return { suggestion, notes };
    },
  };
}
