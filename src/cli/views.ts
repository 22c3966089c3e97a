// `kiln views rebuild [SPEC]`: rebuilds the content tables from the event log.
import { parseArgs } from 'node:util';
import { Store } from '../data/store.ts';
import { rebuildViews } from '../data/events/rebuild-views.ts';
import { withApp } from './with-app.ts';

export const help = `Usage: kiln views rebuild [SPEC]

Empties every content table of the app of SPEC (default ./kiln.json) and writes each item's latest
state back from the append-only event log, in one transaction, on the database of KILN_DATA_DIR /
KILN_DATABASE_URL. The result is the same content the API served before.

Options:
  -h, --help   Show this help.`;

export async function viewsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'rebuild') {
    console.log(help);
    return values.help ? 0 : 1;
  }
  return withApp(positionals[1], async ({ driver, spec }) => {
    const store = await Store.open(driver, spec);
    const report = await rebuildViews(driver, store.model);
    for (const c of report.collections) console.log(`${c.collection}: ${c.items} items${c.published !== undefined ? ` (${c.published} published)` : ''}`);
    return 0;
  });
}
