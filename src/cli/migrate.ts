// `kiln migrate [SPEC]`: moves the database to a new spec through the migration gate.
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { withApp } from './with-app.ts';
import { parseBackfills, runMigrationFlow } from './migration-report.ts';

export const help = `Usage: kiln migrate [SPEC] [--dry-run] [--allow-breaking] [--yes] [--backfill C.F=VALUE]...

Plans the change from the spec the database holds to SPEC (default ./kiln.json), on the database
of KILN_DATA_DIR / KILN_DATABASE_URL. The plan lists every change as safe, backfill or BREAKING
with the reason, the SQL, and the rows copied; it is always checked first in a transaction that is
rolled back, and any row that would not fit is named. Applying is one transaction.

Options:
  --dry-run            Only check and show the plan; change nothing.
  --allow-breaking     Accept changes that drop data or change what API clients receive.
  --yes                Apply without asking.
  --backfill C.F=V     Value for existing items of collection C that need one for field F (JSON or text).
  --json               Print the plan as JSON.
  -h, --help           Show this help.

Renames are never guessed: mark them in SPEC with "renamedFrom": "oldName".`;

export const flowOptions = {
  'dry-run': { type: 'boolean' },
  'allow-breaking': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  backfill: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function author(): string {
  try {
    return `kiln migrate (${userInfo().username})`;
  } catch {
    return 'kiln migrate';
  }
}

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: flowOptions });
  if (values.help) {
    console.log(help);
    return 0;
  }
  return withApp(positionals[0], ({ driver, spec }) =>
    runMigrationFlow(driver, spec, {
      dryRun: values['dry-run'] === true,
      allowBreaking: values['allow-breaking'] === true,
      yes: values.yes === true,
      json: values.json === true,
      backfills: parseBackfills(values.backfill),
      author: author(),
    }),
  );
}
