// Which subject runs a suite's cases, by the suite's kind. Inputs are checked here, per kind, so a
// malformed case fails with the field named instead of deep inside the builder.
import { z } from 'zod';
import type { ModelGateway } from '../../gateway/model-gateway.ts';
import type { Suite } from '../eval-case.ts';
import type { Subject } from '../run-suite.ts';
import { actionInputSchema, runAction } from './action-subject.ts';
import { editInputSchema, planInputSchema, runEdit, runPlan } from './builder-subject.ts';
import { redactionInputSchema, runRedaction } from './redaction-subject.ts';

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new Error(`bad input: ${r.error.issues.map((i) => `${i.path.map(String).join('.') || '(input)'} ${i.message}`).join('; ')}`);
  return r.data;
}

const via = z.enum(['planner', 'editor', 'summarize', 'seo', 'suggestTags']);

export function subjectFor(kind: Suite['kind'], gateway: ModelGateway): Subject {
  const byKind = (k: z.infer<typeof via>): Subject => {
    switch (k) {
      case 'planner':
        return async (c) => runPlan(gateway, parse(planInputSchema, c.input));
      case 'editor':
        return async (c, suite) => runEdit(gateway, parse(editInputSchema, c.input), suite.dir);
      default:
        return async (c) => runAction(gateway, k, parse(actionInputSchema, c.input));
    }
  };
  if (kind === 'safety-redaction') return async (c) => runRedaction(parse(redactionInputSchema, c.input));
  if (kind === 'safety-injection') {
    // The attack reaches Kiln the way the case says: a description, an edit request, or content.
    return async (c, suite) => {
      const { via: v, ...rest } = parse(z.looseObject({ via }), c.input);
      return byKind(v)({ ...c, input: rest }, suite);
    };
  }
  return byKind(kind);
}
