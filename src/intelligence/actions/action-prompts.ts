// The prompts of the AI content actions, for the gateway's registry.
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { summarizePrompt } from './summarize.ts';
import { seoPrompt } from './seo.ts';
import { suggestTagsPrompt } from './suggest-tags.ts';
import { translatePrompt } from './translate.ts';

export const actionPrompts: readonly PromptDefinition[] = [summarizePrompt, seoPrompt, suggestTagsPrompt, translatePrompt];
