// The prompts the evaluated tasks call, registered with the evals' gateway as with the app's.
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { summarizePrompt } from '../actions/summarize.ts';
import { seoPrompt } from '../actions/seo.ts';
import { suggestTagsPrompt } from '../actions/suggest-tags.ts';
import { builderPrompts } from '../builder/builder-prompts.ts';

export const EVAL_PROMPTS: readonly PromptDefinition[] = [...builderPrompts, summarizePrompt, seoPrompt, suggestTagsPrompt];
