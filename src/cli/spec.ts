// `kiln spec check FILE` and `kiln spec schema`.
import { parseArgs } from 'node:util';
import { loadSpec, formatIssues } from '../spec/load.ts';
import { specJsonSchema } from '../spec/json-schema.ts';

export const help = `Usage: kiln spec <command>

Commands:
  check [FILE]   Validate a spec (default ./kiln.json); every problem names its JSON path and a fix.
                 Exits 1 when the spec is invalid. --json prints the result as JSON.
  schema         Print the JSON Schema of the spec format.

Options:
  -h, --help     Show this help.`;

export async function specCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (sub === undefined || sub === '--help' || sub === '-h' || values.help) {
    console.log(help);
    return sub === undefined ? 1 : 0;
  }
  if (sub === 'schema') {
    console.log(JSON.stringify(specJsonSchema(), null, 2));
    return 0;
  }
  if (sub === 'check') {
    const file = positionals[0] ?? 'kiln.json';
    const r = await loadSpec(file);
    if (values.json) console.log(JSON.stringify(r.ok ? { ok: true, warnings: r.warnings } : { ok: false, errors: r.errors, warnings: r.warnings }, null, 2));
    else if (r.ok) {
      console.log(`${file}: valid (${Object.keys(r.spec.collections).length} collections, ${r.spec.tenancy}-tenant)`);
      if (r.warnings.length) console.log(`warnings:\n${formatIssues(r.warnings)}`);
    } else console.error(`${file}: ${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}\n${formatIssues(r.errors)}`);
    return r.ok ? 0 : 1;
  }
  console.error(`kiln spec: unknown command "${sub}"\n\n${help}`);
  return 1;
}
