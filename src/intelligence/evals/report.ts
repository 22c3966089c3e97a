// The table `kiln eval` prints, and the failing cases under it so a regression names its cause.
import type { SuiteResult } from './run-suite.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatTable(results: readonly SuiteResult[]): string {
  const header = ['suite', 'kind', 'cases', 'passed', 'score', 'threshold', 'result'];
  const rows = results.map((r) => [r.name, r.kind, String(r.cases), String(r.passed), pct(r.score), pct(r.threshold), r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Each failed case with its failed checks; `all` lists the passing ones too. */
export function formatFailures(results: readonly SuiteResult[], all = false): string {
  const out: string[] = [];
  for (const r of results) {
    for (const c of r.results) {
      if (c.passed && !all) continue;
      out.push(`${r.name}/${c.id}: ${c.passed ? 'passed' : 'FAILED'} (${pct(c.score)})${c.error ? ` — error: ${c.error}` : ''}`);
      for (const k of c.checks) if (!k.pass || all) out.push(`  ${k.pass ? 'ok  ' : 'miss'} ${k.type}${k.weight !== 1 ? ` ×${k.weight}` : ''}: ${k.detail}`);
    }
  }
  return out.join('\n');
}
