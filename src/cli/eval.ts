// `kiln eval [SUITE…]`: runs the golden datasets and safety suites in evals/ through the model
// gateway (offline unless KILN_AI_PROVIDER says otherwise) and exits 1 when a suite is below its threshold.
import { parseArgs } from 'node:util';
import { SuiteFileError } from '../intelligence/evals/load-suites.ts';
import { runEvals, UnknownSuiteError } from '../intelligence/evals/run-evals.ts';
import { formatFailures, formatTable } from '../intelligence/evals/report.ts';
import { EVAL_PROMPTS } from '../intelligence/evals/eval-prompts.ts';
import { AiConfigError } from '../intelligence/gateway/ai-config.ts';

export const help = `Usage: kiln eval [SUITE…] [options]

Runs the eval and safety suites (all of them when none is named) and prints one row per suite:
cases, cases passed, mean weighted score, the suite's pass threshold and PASS or FAIL. The model
provider is the configured one (KILN_AI_PROVIDER; offline by default).

Suites (evals/suites.json): planner, editor, summarize, seo, suggest-tags, safety-injection,
safety-redaction. The format of a suite is described in evals/README.md.

Options:
  --dir DIR      Read suites.json and the suites from DIR instead of Kiln's evals/ folder.
  --json         Print the full results as JSON.
  --verbose      List every case and check, not only the failed ones.
  -h, --help     Show this help.

Exit status: 0 when every suite reaches its threshold, 1 when one does not, 2 on bad usage, an
unknown suite or a malformed suite file.`;

export async function evalCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { dir: { type: 'string' }, json: { type: 'boolean' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    console.error(`kiln eval: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(help);
    return 0;
  }
  let run;
  try {
    run = await runEvals({ dir: values.dir, names: positionals, prompts: EVAL_PROMPTS });
  } catch (e) {
    if (e instanceof UnknownSuiteError || e instanceof SuiteFileError || e instanceof AiConfigError) {
      console.error(`kiln eval: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (values.json) {
    console.log(JSON.stringify(run, null, 2));
  } else {
    console.log(`kiln eval: provider ${run.provider}\n`);
    console.log(formatTable(run.results));
    const details = formatFailures(run.results, values.verbose === true);
    if (details) console.log(`\n${details}`);
    const failed = run.results.filter((r) => !r.pass).map((r) => r.name);
    console.log(failed.length ? `\n${failed.length} suite${failed.length > 1 ? 's' : ''} below threshold: ${failed.join(', ')}` : `\n${run.results.length === 1 ? 'the suite' : `all ${run.results.length} suites`} passed`);
  }
  return run.pass ? 0 : 1;
}
