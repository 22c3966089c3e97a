// Reading a spec file: JSON parse errors and schema problems come back as SpecIssues, never as throws.
import { readFile } from 'node:fs/promises';
import { checkSpec, type SpecCheck } from './check.ts';

export async function loadSpec(file: string): Promise<SpecCheck> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, warnings: [], errors: [{ path: '/', message: code === 'ENOENT' ? `no spec file at ${file}` : `cannot read ${file}: ${(e as Error).message}`, fix: 'Pass the path of a kiln.json, or create one with `kiln spec schema` as a guide.' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, warnings: [], errors: [{ path: '/', message: `${file} is not valid JSON: ${(e as Error).message}`, fix: 'Correct the JSON syntax at the position given.' }] };
  }
  return checkSpec(json);
}

export function formatIssues(issues: { path: string; message: string; fix: string }[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}\n    fix: ${i.fix}`).join('\n');
}
