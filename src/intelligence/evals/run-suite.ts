// Runs one suite: each case's input goes through the suite's subject (the real builder, action or
// redactor), every assertion is checked, and the case scores the weighted share of assertions that
// held. The suite passes when the share of passing cases reaches its threshold.
import type { EvalCase, Suite } from './eval-case.ts';
import type { EvalOutput } from './eval-output.ts';
import { runAssertion } from './assertions.ts';

/** Produces the output a case is judged on. Thrown errors fail the case, they do not stop the suite. */
export type Subject = (evalCase: EvalCase, suite: Suite) => Promise<EvalOutput>;

export type CheckResult = { type: string; weight: number; pass: boolean; detail: string };
export type CaseResult = { id: string; score: number; passed: boolean; checks: CheckResult[]; error?: string };
export type SuiteResult = {
  name: string;
  kind: Suite['kind'];
  cases: number;
  passed: number;
  /** Mean weighted case score, 0..1. */
  score: number;
  /** Share of cases that passed, 0..1: compared with the threshold. */
  passRate: number;
  threshold: number;
  pass: boolean;
  results: CaseResult[];
};

export async function runCase(evalCase: EvalCase, suite: Suite, subject: Subject): Promise<CaseResult> {
  const casePass = suite.casePass ?? 1;
  let output: EvalOutput;
  try {
    output = await subject(evalCase, suite);
  } catch (e) {
    return { id: evalCase.id, score: 0, passed: false, checks: [], error: e instanceof Error ? e.message : String(e) };
  }
  const checks = evalCase.assertions.map((a) => {
    const weight = a.weight ?? 1;
    try {
      return { type: a.type, weight, ...runAssertion(a, output) };
    } catch (e) {
      return { type: a.type, weight, pass: false, detail: `the check threw: ${e instanceof Error ? e.message : String(e)}` };
    }
  });
  const total = checks.reduce((s, c) => s + c.weight, 0);
  const score = total === 0 ? 0 : checks.reduce((s, c) => s + (c.pass ? c.weight : 0), 0) / total;
  // A small tolerance so that 0.8 of five equal weights is not lost to floating point.
  return { id: evalCase.id, score, passed: score + 1e-9 >= casePass, checks };
}

export async function runSuite(suite: Suite, subject: Subject): Promise<SuiteResult> {
  const results: CaseResult[] = [];
  for (const c of suite.cases) results.push(await runCase(c, suite, subject));
  const passed = results.filter((r) => r.passed).length;
  const passRate = results.length === 0 ? 0 : passed / results.length;
  return {
    name: suite.name,
    kind: suite.kind,
    cases: results.length,
    passed,
    score: results.length === 0 ? 0 : results.reduce((s, r) => s + r.score, 0) / results.length,
    passRate,
    threshold: suite.threshold,
    pass: passRate + 1e-9 >= suite.threshold,
    results,
  };
}
