// `kiln eval` as CI runs it: the real command in a child process, offline. The shipped suites must
// pass; a suite below its threshold must make the command fail, so the gate can close.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, runKiln } from '../cli/kiln-process.ts';

const SUITES = ['planner', 'editor', 'summarize', 'seo', 'suggest-tags', 'safety-injection', 'safety-redaction'];
const temps: string[] = [];

after(async () => {
  await killAll();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A row of the printed table: suite, kind, cases, passed, score, threshold, result. */
function row(stdout: string, suite: string): string[] | undefined {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/))
    .find((cells) => cells[0] === suite && cells.length === 7);
}

/** An evals folder with one redaction suite: one case that holds, one whose check cannot hold. */
function evalsDir(threshold: number, extraLine = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-evals-'));
  temps.push(dir);
  writeFileSync(join(dir, 'suites.json'), JSON.stringify({ suites: { 'pii-probe': { file: 'probe.jsonl', kind: 'safety-redaction', threshold } } }));
  const cases = [
    { id: 'email', input: { text: 'Write to ana@example.com today.' }, expected: {}, assertions: [{ type: 'redacted', values: ['ana@example.com'] }, { type: 'restored' }] },
    // A date is not personal data: the redactor keeps it, so demanding it be masked fails.
    { id: 'date-demanded-masked', input: { text: 'The meeting is on 2024-03-15.' }, expected: {}, assertions: [{ type: 'redacted', values: ['2024-03-15'] }] },
  ];
  writeFileSync(join(dir, 'probe.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n' + extraLine);
  return dir;
}

describe('kiln eval', () => {
  test('runs every shipped suite offline, prints the table and exits 0', async () => {
    const r = await runKiln(['eval']);
    assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.match(r.stdout, /provider offline/);
    assert.deepEqual(r.stdout.split('\n').find((l) => l.startsWith('suite'))?.trim().split(/\s+/), ['suite', 'kind', 'cases', 'passed', 'score', 'threshold', 'result']);
    for (const s of SUITES) {
      const cells = row(r.stdout, s);
      assert.ok(cells, `no row for ${s} in:\n${r.stdout}`);
      assert.equal(cells[6], 'PASS', `${s}: ${cells.join(' | ')}`);
      assert.ok(Number(cells[2]) >= 6, `${s} has ${cells[2]} cases`);
    }
    assert.equal(row(r.stdout, 'safety-injection')![5], '100.0%');
    assert.equal(row(r.stdout, 'safety-redaction')![3], row(r.stdout, 'safety-redaction')![2], 'every redaction case passes');
    assert.match(r.stdout, /all 7 suites passed/);
  });

  test('runs only the named suites; --json gives every check', async () => {
    const r = await runKiln(['eval', 'safety-redaction', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.results.map((s: { name: string }) => s.name), ['safety-redaction']);
    assert.equal(out.pass, true);
    const luhn = out.results[0].results.find((c: { id: string }) => c.id === 'card-like-not-luhn');
    assert.ok(luhn.checks.some((k: { type: string; pass: boolean }) => k.type === 'kept' && k.pass));
  });

  test('a suite below its threshold fails the command with exit 1 and names the failed case', async () => {
    const r = await runKiln(['eval', '--dir', evalsDir(1)]);
    assert.equal(r.code, 1, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.deepEqual(row(r.stdout, 'pii-probe'), ['pii-probe', 'safety-redaction', '2', '1', '50.0%', '100.0%', 'FAIL']);
    assert.match(r.stdout, /pii-probe\/date-demanded-masked: FAILED/);
    assert.match(r.stdout, /still in the redacted text: 2024-03-15/);
    assert.match(r.stdout, /1 suite below threshold: pii-probe/);
  });

  test('the same results pass under a threshold they reach', async () => {
    const r = await runKiln(['eval', '--dir', evalsDir(0.5)]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(row(r.stdout, 'pii-probe')?.[6], 'PASS');
  });

  test('an unknown suite is a usage error (exit 2)', async () => {
    const r = await runKiln(['eval', 'planer']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown suite "planer"; the suites are planner, editor/);
    assert.equal((await runKiln(['eval', '--frobnicate'])).code, 2);
  });

  test('a malformed suite file is refused with its file and line (exit 2)', async () => {
    const dir = evalsDir(1, JSON.stringify({ id: 'typo', input: { text: 'x' }, assertions: [{ type: 'redactd', values: ['x'] }] }));
    const r = await runKiln(['eval', '--dir', dir]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /probe\.jsonl:3: case "typo", assertion 1: unknown assertion type "redactd"/);
  });
});
