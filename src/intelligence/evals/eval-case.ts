// The golden-dataset format `kiln eval` reads (documented in evals/README.md): a manifest names each
// suite, its kind (which part of Kiln it exercises) and its pass threshold; each suite is a JSONL file
// of cases with weighted assertions. Parsed with zod so a malformed line is reported by file and line.
import { z } from 'zod';

export const SUITE_KINDS = ['planner', 'editor', 'summarize', 'seo', 'suggestTags', 'safety-injection', 'safety-redaction'] as const;
export type SuiteKind = (typeof SUITE_KINDS)[number];

export const suiteEntrySchema = z
  .object({
    file: z.string().min(1).describe('The JSONL file, relative to the manifest.'),
    kind: z.enum(SUITE_KINDS),
    threshold: z.number().min(0).max(1).describe('Share of cases that must pass for the suite to pass.'),
    casePass: z.number().min(0).max(1).optional().describe('Weighted score a case needs to pass (default 1: every assertion).'),
    description: z.string().optional(),
  })
  .strict();
export type SuiteEntry = z.infer<typeof suiteEntrySchema>;

export const manifestSchema = z.object({ $comment: z.string().optional(), suites: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), suiteEntrySchema) }).strict();

/** One check on a case's output. `type` picks the check; the other keys are its parameters. */
export const assertionSchema = z.looseObject({ type: z.string().min(1), weight: z.number().positive().optional() });
export type Assertion = z.infer<typeof assertionSchema>;

export const evalCaseSchema = z
  .object({
    id: z.string().min(1),
    input: z.unknown(),
    expected: z.unknown().optional(),
    assertions: z.array(assertionSchema).min(1),
    note: z.string().optional(),
  })
  .strict();
export type EvalCase = z.infer<typeof evalCaseSchema>;

export type Suite = SuiteEntry & { name: string; cases: EvalCase[]; /** folder of the JSONL file: relative paths in inputs start here */ dir: string };
