// Runs the builder on a case: a description through planApp, or an edit request through editApp
// against a base spec (a file beside the suite, optionally with top-level sections replaced). The
// result is judged as a spec, with the base kept so safety checks can compare before and after.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { checkSpec } from '../../../spec/check.ts';
import type { Spec } from '../../../spec/schema.ts';
import type { ModelGateway } from '../../gateway/model-gateway.ts';
import { editApp, planApp } from '../../builder/builder.ts';
import { applyPatch } from '../../builder/spec-patch.ts';
import type { SpecOutput } from '../eval-output.ts';

export const planInputSchema = z.object({ description: z.string().min(1) }).strict();

export const editInputSchema = z
  .object({
    base: z.string().min(1).describe('The spec file the request is made against, relative to the suite file.'),
    with: z.record(z.string(), z.unknown()).optional().describe('Top-level sections that replace the base file\'s (for example an "auth" section).'),
    request: z.string().min(1),
  })
  .strict();

const problemsOf = (spec: unknown): string[] => {
  const c = checkSpec(spec);
  return c.ok ? [] : c.errors.map((e) => `${e.path}: ${e.message}`);
};

export async function runPlan(gateway: ModelGateway, input: z.infer<typeof planInputSchema>): Promise<SpecOutput> {
  const r = await planApp(gateway, { description: input.description, tenant: 'evals' });
  const spec: Spec | undefined = r.spec;
  return {
    kind: 'spec',
    spec,
    problems: spec === undefined ? ['the planner returned no spec'] : problemsOf(spec),
    refused: [...(r.refused ?? [])],
    warnings: [...(r.warnings ?? [])],
    understood: [...(r.understood ?? [])],
    assumptions: [...(r.assumptions ?? [])],
    source: r.source,
  };
}

const baseCache = new Map<string, Promise<Spec>>();

async function loadBase(file: string, overlay: Record<string, unknown> | undefined): Promise<Spec> {
  let raw = baseCache.get(file);
  if (!raw) {
    raw = readFile(file, 'utf8').then((t) => JSON.parse(t) as Spec);
    baseCache.set(file, raw);
  }
  const checked = checkSpec({ ...structuredClone(await raw), ...overlay });
  if (!checked.ok) throw new Error(`the base spec ${file}${overlay ? ' with its overlay' : ''} is invalid: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  return checked.spec;
}

export async function runEdit(gateway: ModelGateway, input: z.infer<typeof editInputSchema>, suiteDir: string): Promise<SpecOutput> {
  const base = await loadBase(resolve(suiteDir, input.base), input.with);
  const r = await editApp(gateway, { spec: structuredClone(base), request: input.request });
  let spec: Spec | undefined = r.spec;
  const problems: string[] = [];
  if (spec === undefined && r.patch) {
    const applied = applyPatch(base, r.patch);
    if (applied.ok) spec = applied.spec;
    else problems.push(...applied.problems.map((p) => p.message));
  }
  if (spec !== undefined) problems.push(...problemsOf(spec));
  else if (problems.length === 0) problems.push('the editor returned neither a spec nor a patch');
  return {
    kind: 'spec',
    spec,
    base,
    patch: r.patch,
    problems,
    refused: [...(r.refused ?? [])],
    warnings: [...(r.warnings ?? [])],
    understood: [...(r.understood ?? [])],
    assumptions: [...(r.assumptions ?? [])],
    source: r.source,
  };
}
