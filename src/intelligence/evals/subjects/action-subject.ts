// Runs an AI content action on a case's text through the gateway, as the item route does: the case
// becomes an article of a small fixed spec whose ai.actions the real resolution (aiActionsOf) turns
// into the action's configuration, so the evals see the limits and defaults users get.
import { z } from 'zod';
import { checkSpec } from '../../../spec/check.ts';
import { aiActionsOf } from '../../../spec/ai-actions.ts';
import type { ModelGateway } from '../../gateway/model-gateway.ts';
import type { ActionInput } from '../../actions/action.ts';
import { plainText } from '../../actions/plain-text.ts';
import { prepareSummarize } from '../../actions/summarize.ts';
import { prepareSeo } from '../../actions/seo.ts';
import { prepareSuggestTags, type TagCandidate } from '../../actions/suggest-tags.ts';
import type { ActionOutput } from '../eval-output.ts';

export const actionInputSchema = z
  .object({
    title: z.string().optional(),
    body: z.string().min(1),
    tags: z.array(z.string()).optional().describe('The tags that exist (suggestTags).'),
  })
  .strict();
export type ActionCaseInput = z.infer<typeof actionInputSchema>;

const EVAL_SPEC = checkSpec({
  kiln: 1,
  name: 'evals',
  tenancy: 'multi',
  collections: {
    tags: { titleField: 'name', fields: { name: { type: 'string', required: true, max: 60 }, slug: { type: 'slug', from: 'name' } } },
    articles: {
      titleField: 'title',
      fields: {
        title: { type: 'string', max: 200 },
        body: { type: 'richtext', searchable: true },
        summary: { type: 'text', max: 1000 },
        seoTitle: { type: 'string', max: 60 },
        seoDescription: { type: 'string', max: 160 },
        tags: { type: 'relation', to: 'tags', many: true },
      },
      ai: { actions: { summarize: { to: 'summary' }, seo: { title: 'seoTitle', description: 'seoDescription' }, suggestTags: { field: 'tags' } } },
    },
  },
});
if (!EVAL_SPEC.ok) throw new Error(`the evals' action spec is invalid: ${EVAL_SPEC.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
const CONFIGS = aiActionsOf(EVAL_SPEC.spec, 'articles');

const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export async function runAction(gateway: ModelGateway, action: 'summarize' | 'seo' | 'suggestTags', input: ActionCaseInput): Promise<ActionOutput> {
  const body = plainText(input.body);
  const item: ActionInput = { collection: 'articles', sources: [{ field: 'body', text: body }], title: input.title };
  const base = { kind: 'action' as const, action, sourceText: [input.title ?? '', body].join('\n'), candidates: input.tags ?? [] };
  if (action === 'summarize') {
    const { call } = prepareSummarize(item, CONFIGS.summarize!);
    const r = await gateway.run({ tenant: 'evals', ...call });
    return { ...base, texts: { summary: r.value.summary }, tags: [], source: r.source };
  }
  if (action === 'seo') {
    const { call } = prepareSeo(item, CONFIGS.seo!);
    const r = await gateway.run({ tenant: 'evals', ...call });
    return { ...base, texts: { title: r.value.title, description: r.value.description }, tags: [], source: r.source };
  }
  const candidates: TagCandidate[] = (input.tags ?? []).map((name) => ({ id: slugOf(name), name, names: [name, slugOf(name)] }));
  const { call } = prepareSuggestTags(item, CONFIGS.suggestTags!, candidates, []);
  const r = await gateway.run({ tenant: 'evals', ...call });
  const byId = new Map(candidates.map((c) => [c.id, c.name]));
  return { ...base, texts: {}, tags: r.value.tags.map((id) => byId.get(id) ?? id), source: r.source };
}
