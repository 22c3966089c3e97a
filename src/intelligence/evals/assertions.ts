// The one table of assertion types: each names the output it reads and the parameters it takes. A
// dataset is checked against this table before anything runs, so a typo in a suite is an error, not
// a silently failing (or passing) case.
import type { z } from 'zod';
import type { Assertion, EvalCase } from './eval-case.ts';
import type { Check, EvalOutput } from './eval-output.ts';
import { SPEC_ASSERTIONS } from './spec-assertions.ts';
import { ACTION_ASSERTIONS } from './action-assertions.ts';
import { REDACTION_ASSERTIONS } from './redaction-assertions.ts';

type Entry = { output: EvalOutput['kind']; params: z.ZodType; check: (params: never, out: never) => Check };

const TABLE = new Map<string, Entry>([
  ...Object.entries(SPEC_ASSERTIONS).map(([k, v]) => [k, { output: 'spec', ...v }] as const),
  ...Object.entries(ACTION_ASSERTIONS).map(([k, v]) => [k, { output: 'action', ...v }] as const),
  ...Object.entries(REDACTION_ASSERTIONS).map(([k, v]) => [k, { output: 'redaction', ...v }] as const),
]);

export const ASSERTION_TYPES: readonly string[] = [...TABLE.keys()];

function paramsOf(a: Assertion): Record<string, unknown> {
  const { type: _type, weight: _weight, ...rest } = a;
  return rest;
}

/** Problems with one assertion's type or parameters; empty when it can run. */
export function assertionProblems(a: Assertion): string[] {
  const entry = TABLE.get(a.type);
  if (!entry) return [`unknown assertion type "${a.type}"`];
  const r = entry.params.safeParse(paramsOf(a));
  return r.success ? [] : r.error.issues.map((i) => `${a.type}.${i.path.map(String).join('.') || '(params)'}: ${i.message}`);
}

/** Problems with every assertion of a case, prefixed by the case id. */
export function caseProblems(c: EvalCase): string[] {
  return c.assertions.flatMap((a, i) => assertionProblems(a).map((p) => `case "${c.id}", assertion ${i + 1}: ${p}`));
}

export function runAssertion(a: Assertion, out: EvalOutput): Check {
  const entry = TABLE.get(a.type);
  if (!entry) return { pass: false, detail: `unknown assertion type "${a.type}"` };
  if (entry.output !== out.kind) return { pass: false, detail: `${a.type} reads ${entry.output} output, the case produced ${out.kind} output` };
  const params = entry.params.parse(paramsOf(a));
  return entry.check(params as never, out as never);
}
