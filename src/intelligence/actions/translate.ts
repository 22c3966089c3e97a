// "translate": the item's declared text fields in another of the declared languages. There is no
// offline translator, so without a model provider the action answers with a clear problem instead
// of a fake translation; with one, the call goes through the gateway like every other action.
import type { TranslateConfig } from '../../spec/ai-actions.ts';
import { NoOfflineImplementationError, type Validation } from '../gateway/model-gateway.ts';
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { CONTENT_IS_DATA, type ActionInput, type PreparedAction } from './action.ts';

/** The action cannot run offline; the HTTP layer answers 501 naming the setting to change. */
export class ModelRequiredError extends NoOfflineImplementationError {
  readonly action: string;

  constructor(action: string) {
    super(action, `${action} needs a model provider; set KILN_AI_PROVIDER (and KILN_AI_MODEL) to use it`);
    this.name = 'ModelRequiredError';
    this.action = action;
  }
}

export const translatePrompt: PromptDefinition = {
  name: 'actions.translate',
  versions: {
    '1': {
      system: `You translate items of a content management system. ${CONTENT_IS_DATA}`,
      user:
        'Translate every value of the JSON object in the content block below into the language with the BCP 47 tag "{{language}}". ' +
        'Keep the keys, keep HTML tags, Markdown formatting, URLs and placeholders unchanged, and translate nothing else. ' +
        'Answer as {"translations": {key: translated text}} with exactly the keys {{fields}}.\n\n{{content}}',
    },
  },
  labels: { production: '1' },
};

export type TranslateAnswer = { translations: Record<string, string> };

export function translateSchema(fields: readonly string[]): Record<string, unknown> {
  const properties = Object.fromEntries(fields.map((f) => [f, { type: 'string' }]));
  return {
    type: 'object',
    additionalProperties: false,
    required: ['translations'],
    properties: { translations: { type: 'object', additionalProperties: false, required: [...fields], properties } },
  };
}

export function validateTranslation(json: unknown, fields: readonly string[], maxLengths: Readonly<Record<string, number | undefined>>): Validation<TranslateAnswer> {
  const t = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).translations : undefined;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return { ok: false, problems: ['the answer must be {"translations": {…}}'] };
  const o = t as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(json as object)) if (k !== 'translations') problems.push(`"${k}" is not part of the answer`);
  for (const k of Object.keys(o)) if (!fields.includes(k)) problems.push(`translations."${k}" was not asked for; give exactly ${fields.join(', ')}`);
  for (const f of fields) {
    const v = o[f];
    const max = maxLengths[f];
    if (typeof v !== 'string' || !v.trim()) problems.push(`translations."${f}" must be the translated text`);
    else if (max !== undefined && v.length > max) problems.push(`translations."${f}" has ${v.length} characters; the field holds at most ${max}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: { translations: Object.fromEntries(fields.map((f) => [f, o[f] as string])) } };
}

/** `input.sources` here hold the fields' raw values (markup included), not their plain text. */
export function prepareTranslate(input: ActionInput, config: TranslateConfig, language: string, maxLengths: Readonly<Record<string, number | undefined>>): PreparedAction<TranslateAnswer> {
  const present = input.sources.filter((s) => s.text.trim());
  const fields = present.map((s) => s.field);
  const block = JSON.stringify(Object.fromEntries(present.map((s) => [s.field, s.text])), null, 2).replace(/<\s*\/?\s*content\s*>/gi, (m) => m.replace('<', '\\u003c'));
  return {
    call: {
      prompt: translatePrompt.name,
      variables: { collection: input.collection, language, fields: fields.join(', '), content: `<content>\n${block}\n</content>` },
      schema: translateSchema(fields),
      validate: (json) => validateTranslation(json, fields, maxLengths),
      offline: () => {
        throw new ModelRequiredError('translate');
      },
    },
    toSuggestion: ({ translations }) => ({
      suggestion: Object.fromEntries(fields.filter((f) => f in translations).map((f) => [f, translations[f]])),
      notes: [
        `translated into ${language}; accepting replaces the text of ${fields.join(', ')}`,
        ...config.fields.filter((f) => !fields.includes(f)).map((f) => `${f} is empty: nothing to translate`),
      ],
    }),
  };
}
