// `kiln token rotate [SPEC]`: replaces a lost or leaked root token.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec, formatIssues } from '../spec/load.ts';
import { openDriver } from '../data/open-driver.ts';
import { Store } from '../data/store.ts';
import { rotateRootToken } from '../auth/root-token.ts';
import { readConfig } from './config.ts';

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
  const checked = await loadSpec(resolve(positionals[1] ?? 'kiln.json'));
  if (!checked.ok) {
    console.error(`kiln: the spec is not valid:\n${formatIssues(checked.errors)}`);
    return 1;
  }
  const config = readConfig();
  const driver = openDriver({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, appName: checked.spec.name });
  const store = await Store.open(driver, checked.spec);
  try {
    const token = await rotateRootToken(driver);
    console.log(token);
    if (config.adminToken) console.error('kiln: warning: KILN_ADMIN_TOKEN is set, so servers keep using it instead of this token.');
    return 0;
  } finally {
    await store.close();
  }
}
