// Everything `kiln eval` does short of printing: load the suites, pick the asked ones, open the
// gateway, run them, close the gateway whatever happens.
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import type { Suite } from './eval-case.ts';
import { loadSuites } from './load-suites.ts';
import { openEvalGateway } from './eval-gateway.ts';
import { runSuite, type SuiteResult } from './run-suite.ts';
import { subjectFor } from './subjects/subjects.ts';

export class UnknownSuiteError extends Error {
  constructor(names: string[], known: string[]) {
    super(`unknown suite${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}; the suites are ${known.join(', ')}`);
    this.name = 'UnknownSuiteError';
  }
}

/** The suites named (all when none), in manifest order. */
export function selectSuites(suites: readonly Suite[], names: readonly string[]): Suite[] {
  if (names.length === 0) return [...suites];
  const unknown = names.filter((n) => !suites.some((s) => s.name === n));
  if (unknown.length) throw new UnknownSuiteError(unknown, suites.map((s) => s.name));
  return suites.filter((s) => names.includes(s.name));
}

export type EvalRun = { provider: string; results: SuiteResult[]; pass: boolean };

export async function runEvals(options: { dir?: string; names?: readonly string[]; prompts: readonly PromptDefinition[]; env?: NodeJS.ProcessEnv }): Promise<EvalRun> {
  const suites = selectSuites(await loadSuites(options.dir), options.names ?? []);
  const { gateway, provider, close } = await openEvalGateway(options.prompts, options.env);
  try {
    const results: SuiteResult[] = [];
    for (const suite of suites) results.push(await runSuite(suite, subjectFor(suite.kind, gateway)));
    return { provider, results, pass: results.every((r) => r.pass) };
  } finally {
    await close();
  }
}
