// `kiln spec check FILE` and `kiln spec schema`.
import { parseArgs } from 'node:util';
import { loadSpec, formatIssues } from '../spec/load.ts';
import { specJsonSchema } from '../spec/json-schema.ts';
import { listVersions } from '../data/migrate/history.ts';
import { rollbackTarget } from '../data/migrate/rollback.ts';
import { worstClass } from '../spec/diff.ts';
import { withApp } from './with-app.ts';
import { author, flowOptions } from './migrate.ts';
import { parseBackfills, runMigrationFlow } from './migration-report.ts';

export const help = `Usage: kiln spec <command>

Commands:
  check [FILE]   Validate a spec (default ./kiln.json); every problem names its JSON path and a fix.
                 Exits 1 when the spec is invalid. --json prints the result as JSON.
  schema         Print the JSON Schema of the spec format.
  history [SPEC] List the spec versions applied to the app's database (KILN_DATA_DIR / KILN_DATABASE_URL).
  rollback VERSION [SPEC] [--dry-run] [--allow-breaking] [--yes]
                 Plan the way back to an earlier version and run it through the same gate as
                 \`kiln migrate\`; renames are reversed, not dropped.

Options:
  -h, --help     Show this help.`;

export async function specCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: flowOptions });
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
  if (sub === 'history') return history(positionals[0], values.json === true);
  if (sub === 'rollback') {
    const version = Number(positionals[0]);
    if (!Number.isInteger(version) || version < 1) {
      console.error('kiln spec rollback: give the version to go back to, as listed by `kiln spec history`');
      return 1;
    }
    return withApp(positionals[1], async ({ driver }) => {
      const target = rollbackTarget(await listVersions(driver), version);
      return runMigrationFlow(driver, target, {
        dryRun: values['dry-run'] === true,
        allowBreaking: values['allow-breaking'] === true,
        yes: values.yes === true,
        json: values.json === true,
        backfills: parseBackfills(values.backfill),
        author: `${author()} rollback to ${version}`,
      });
    });
  }
  console.error(`kiln spec: unknown command "${sub}"\n\n${help}`);
  return 1;
}

async function history(specFile: string | undefined, json: boolean): Promise<number> {
  return withApp(specFile, async ({ driver }) => {
    const versions = await listVersions(driver).catch(() => []);
    if (versions.length === 0) {
      console.error('kiln: this database holds no Kiln app yet; `kiln start` creates it.');
      return 1;
    }
    if (json) console.log(JSON.stringify(versions.map(({ spec: _spec, ...v }) => v), null, 2));
    else {
      for (const v of versions) {
        const summary = v.plan.length ? `${v.plan.length} change${v.plan.length === 1 ? '' : 's'} (${worstClass(v.plan)})` : 'created';
        console.log(`${String(v.version).padStart(4)}  ${v.appliedAt}  ${v.hash.slice(0, 12)}  ${summary.padEnd(24)}  ${v.author}`);
      }
    }
    return 0;
  });
}
