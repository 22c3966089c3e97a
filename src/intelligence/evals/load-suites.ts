// Reads an evals folder: suites.json and the JSONL file of each suite. Every problem names the file
// and line, so a broken dataset is fixed where it is, never silently skipped.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseProblems } from './assertions.ts';
import { evalCaseSchema, manifestSchema, type EvalCase, type Suite } from './eval-case.ts';

/** The suites shipped with Kiln, at the repository root. */
export const DEFAULT_EVALS_DIR = fileURLToPath(new URL('../../../evals/', import.meta.url));

export class SuiteFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteFileError';
  }
}

const issuesText = (issues: { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ');

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new SuiteFileError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SuiteFileError(`${file}: not JSON (${(e as Error).message})`);
  }
}

export function parseCases(file: string, text: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '' || line.startsWith('//')) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new SuiteFileError(`${file}:${n + 1}: not JSON (${(e as Error).message})`);
    }
    const parsed = evalCaseSchema.safeParse(json);
    if (!parsed.success) throw new SuiteFileError(`${file}:${n + 1}: ${issuesText(parsed.error.issues)}`);
    if (ids.has(parsed.data.id)) throw new SuiteFileError(`${file}:${n + 1}: duplicate id "${parsed.data.id}"`);
    ids.add(parsed.data.id);
    const problems = caseProblems(parsed.data);
    if (problems.length) throw new SuiteFileError(`${file}:${n + 1}: ${problems.join('; ')}`);
    cases.push(parsed.data);
  }
  if (cases.length === 0) throw new SuiteFileError(`${file}: holds no cases`);
  return cases;
}

/** All suites of the folder's manifest, in manifest order. */
export async function loadSuites(dir: string = DEFAULT_EVALS_DIR): Promise<Suite[]> {
  const manifestFile = join(resolve(dir), 'suites.json');
  const parsed = manifestSchema.safeParse(await readJson(manifestFile));
  if (!parsed.success) throw new SuiteFileError(`${manifestFile}: ${issuesText(parsed.error.issues)}`);
  const suites: Suite[] = [];
  for (const [name, entry] of Object.entries(parsed.data.suites)) {
    const file = resolve(dirname(manifestFile), entry.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new SuiteFileError(`${file} (suite "${name}"): cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    suites.push({ ...entry, name, cases: parseCases(file, text), dir: dirname(file) });
  }
  return suites;
}
