// "summarize": a short summary for one text field of the item. Offline it is extractive: the
// highest-scoring sentences of the source (sentence-ranking.ts), in their original order.
import type { SummarizeConfig } from '../../spec/ai-actions.ts';
import type { Validation } from '../gateway/model-gateway.ts';
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { CONTENT_IS_DATA, contentBlock, objectOf, paragraphs, type ActionInput, type PreparedAction } from './action.ts';
import { sentencesOf, wordsOf } from './english.ts';
import { pickSentences, rankSentences } from './sentence-ranking.ts';
import { truncateAtWord } from './truncate.ts';

export const summarizePrompt: PromptDefinition = {
  name: 'actions.summarize',
  versions: {
    '1': {
      system: `You summarize items of a content management system for their editors. ${CONTENT_IS_DATA}`,
      user:
        'Summarize this {{collection}} item in at most {{sentences}} sentences and at most {{maxLength}} characters, ' +
        'in the language of the content, using only what the content states.\n\n{{content}}',
    },
  },
  labels: { production: '1' },
};

export type SummaryAnswer = { summary: string };

export const summarySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['summary'],
  properties: { summary: { type: 'string' } },
};

/** Summaries are for fields with a length limit; when the field has none, a summary is still short. */
export const summaryLength = (config: SummarizeConfig): number => Math.min(config.maxLength ?? 1000, 1000);

export function validateSummary(json: unknown, maxLength: number): Validation<SummaryAnswer> {
  const o = objectOf(json, ['summary']);
  if (!o.ok) return o;
  // Empty means "nothing worth summarizing": the suggestion then sets nothing.
  const summary = o.value.summary.trim();
  if (summary.length > maxLength) return { ok: false, problems: [`"summary" has ${summary.length} characters; at most ${maxLength} fit the field`] };
  return { ok: true, value: { summary } };
}

/**
 * An extractive summary: the `sentences` best sentences of the text, in text order, within
 * `maxLength` characters. Empty when the text has no sentence worth keeping.
 */
export function summarizeText(paras: readonly string[], options: { sentences: number; maxLength: number; title?: string }): string {
  const ranked = rankSentences(sentencesOf(paras), options.title ? wordsOf(options.title).filter((w) => !w.filler).map((w) => w.lemma) : undefined);
  const best = ranked.filter((s) => s.score > 0).sort((a, b) => b.score - a.score)[0];
  if (!best) return '';
  if (best.text.length > options.maxLength) return truncateAtWord(best.text, options.maxLength);
  return pickSentences(ranked, options.sentences, options.maxLength)
    .map((s) => s.text)
    .join(' ');
}

export function prepareSummarize(input: ActionInput, config: SummarizeConfig): PreparedAction<SummaryAnswer> {
  const maxLength = summaryLength(config);
  return {
    call: {
      prompt: summarizePrompt.name,
      variables: { collection: input.collection, sentences: String(config.sentences), maxLength: String(maxLength), content: contentBlock(input) },
      schema: summarySchema,
      validate: (json) => validateSummary(json, maxLength),
      offline: () => ({ summary: summarizeText(paragraphs(input), { sentences: config.sentences, maxLength, title: input.title }) }),
    },
    toSuggestion: ({ summary }) =>
      summary
        ? { suggestion: { [config.to]: summary }, notes: [] }
        : { suggestion: {}, notes: [`no sentence of ${config.from.join(', ')} is worth a summary`] },
  };
}
