// `kiln diff OLD NEW`: the typed changes between two spec files, each classified.
import { parseArgs } from 'node:util';
import { loadSpec, formatIssues } from '../spec/load.ts';
import { diffSpecs, worstClass } from '../spec/diff.ts';
import { describe } from '../data/migrate/migrate.ts';

export const help = `Usage: kiln diff OLD NEW [--json]

Lists what changes from spec file OLD to spec file NEW: collections and fields added, removed,
renamed ("renamedFrom"), type and option changes, relations, roles. Each change is safe, backfill
(existing items need a value) or BREAKING (drops data, narrows what fits, or changes what API
clients receive), with the reason. Exits 0 when NEW is not breaking, 2 when it is.

Options:
  --json       Print the changes as JSON.
  -h, --help   Show this help.`;

export async function diffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals.length !== 2) {
    console.log(help);
    return values.help ? 0 : 1;
  }
  const [a, b] = await Promise.all(positionals.map((f) => loadSpec(f)));
  for (const [i, r] of [a, b].entries()) {
    if (!r.ok) {
      console.error(`kiln: ${positionals[i]} is not a valid spec:\n${formatIssues(r.errors)}`);
      return 1;
    }
  }
  if (!a.ok || !b.ok) return 1;
  const changes = diffSpecs(a.spec, b.spec);
  const verdict = worstClass(changes);
  if (values.json) console.log(JSON.stringify({ verdict, changes }, null, 2));
  else if (changes.length === 0) console.log('No changes.');
  else {
    for (const c of changes) console.log(`${c.class.padEnd(8)}  ${describe(c)}\n          ${c.reason}`);
    console.log(`\n${changes.length} change${changes.length === 1 ? '' : 's'}; overall: ${verdict}`);
  }
  return verdict === 'breaking' ? 2 : 0;
}
