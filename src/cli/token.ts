// `kiln token rotate [SPEC]`: replaces a lost or leaked root token.
import { parseArgs } from 'node:util';
import { Store } from '../data/store.ts';
import { rotateRootToken } from '../auth/root-token.ts';
import { withApp } from './with-app.ts';

export const help = `Usage: kiln token rotate [SPEC]

Generates a new root API token for the app of SPEC (default ./kiln.json) on the configured database
(KILN_DATA_DIR / KILN_DATABASE_URL), prints it once and stores only its hash. The old token stops
working when the servers restart. Has no effect while KILN_ADMIN_TOKEN is set, which always wins.

Options:
  -h, --help     Show this help.`;

export async function tokenCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'rotate') {
    console.log(help);
    return values.help ? 0 : 1;
  }
  return withApp(positionals[1], async ({ driver, spec, config }) => {
    // Opening the store creates the tables of a database that has none yet, so the token has a home.
    await Store.open(driver, spec);
    console.log(await rotateRootToken(driver));
    if (config.adminToken) console.error('kiln: warning: KILN_ADMIN_TOKEN is set, so servers keep using it instead of this token.');
    return 0;
  });
}
