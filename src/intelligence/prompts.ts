// Every prompt Kiln can run, in one list: the gateway's registry is built from it, so a task whose
// prompt is missing here fails at start, not at its first call.
import type { PromptDefinition } from './gateway/prompts/prompt-definition.ts';
import { actionPrompts } from './actions/action-prompts.ts';
import { builderPrompts } from './builder/builder-prompts.ts';

export const allPrompts: readonly PromptDefinition[] = [...actionPrompts, ...builderPrompts];
