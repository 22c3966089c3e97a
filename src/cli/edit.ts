// `kiln edit --describe "…" [SPEC]`: a change in plain words → a typed spec patch, shown with the
// spec diff and the migration plan against the app's database; applied (kiln.json written and the
// database migrated) only with --yes, and breaking edits only with --allow-breaking.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { withApp } from './with-app.ts';
import { formatReport, parseBackfills } from './migration-report.ts';
import { migrate, describe } from '../data/migrate/migrate.ts';
import { currentVersion } from '../data/migrate/history.ts';
import { diffSpecs, type SpecChange } from '../spec/diff.ts';
import { AiConfigError, readAiConfig } from '../intelligence/gateway/ai-config.ts';
import { createGateway } from '../intelligence/gateway/gateway.ts';
import { allPrompts } from '../intelligence/prompts.ts';
import { editApp } from '../intelligence/builder/builder.ts';
import { writeSpecFile } from '../spec/write-spec-file.ts';

export const help = `Usage: kiln edit --describe "CHANGE" [SPEC] [--yes] [--allow-breaking] [--backfill C.F=VALUE]...

Turns CHANGE, in plain words, into a typed patch of SPEC (default ./kiln.json): prints what it
understood, what it assumed or refused, the spec changes (safe, backfill or BREAKING with the
reason) and the migration plan, checked against the app's database (KILN_DATA_DIR /
KILN_DATABASE_URL) in a transaction that is rolled back. Nothing changes without --yes.

Examples:
  kiln edit --describe "add a featured flag to articles"
  kiln edit --describe "rename summary to excerpt in articles" --yes --allow-breaking

Options:
  --describe TEXT      The change, for example "each article belongs to a category".
  --yes                Write SPEC and apply the migration.
  --allow-breaking     Accept changes that drop data or change what API clients receive.
  --backfill C.F=V     Value for existing items of collection C that need one for field F.
  -h, --help           Show this help.

The model provider is chosen by KILN_AI_PROVIDER (default: offline, no network). Text can never
add admin roles, wildcard grants, public writes, or remove tenancy or sign-in; edit SPEC by hand
for those.`;

const MARK = { safe: 'safe    ', backfill: 'backfill', breaking: 'BREAKING' } as const;

function author(): string {
  try {
    return `kiln edit (${userInfo().username})`;
  } catch {
    return 'kiln edit';
  }
}

const bullets = (title: string, lines: string[]) => (lines.length ? `${title}\n${lines.map((l) => `  - ${l}`).join('\n')}\n` : '');

export async function editCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      describe: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'allow-breaking': { type: 'boolean' },
      backfill: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const request = values.describe?.trim();
  if (!request) {
    console.error(`kiln edit: --describe "CHANGE" is required\n\n${help}`);
    return 1;
  }
  if (positionals.length > 1) {
    console.error(`kiln edit: one SPEC at most, got ${positionals.join(' ')}`);
    return 1;
  }
  let aiConfig;
  try {
    aiConfig = readAiConfig(process.env);
  } catch (e) {
    if (e instanceof AiConfigError) {
      console.error(`kiln: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const file = resolve(positionals[0] ?? 'kiln.json');
  const allowBreaking = values['allow-breaking'] === true;
  const backfills = parseBackfills(values.backfill);

  return withApp(file, async ({ driver, spec }) => {
    const gateway = await createGateway({ driver, config: aiConfig, prompts: allPrompts });
    let edited;
    try {
      edited = await editApp(gateway, { spec, request });
    } finally {
      await gateway.stop();
    }
    process.stdout.write(
      bullets('Understood:', edited.understood) +
        bullets('Assumptions:', edited.assumptions) +
        bullets('Refused:', edited.refused) +
        bullets('Warnings:', edited.warnings),
    );
    const notUnderstood = edited.assumptions.some((a) => /^Not (?:understood|applied)/.test(a));
    const changes = diffSpecs(spec, edited.spec);
    if (!changes.length) {
      console.log(`\nNo change to ${file}.`);
      return notUnderstood || edited.refused.length || !edited.patch.ops.length ? 1 : 0;
    }
    console.log(`\nChanges to ${file} (${edited.source}):\n${formatChanges(changes)}`);

    const current = await currentVersion(driver);
    let breaking = changes.some((c) => c.class === 'breaking');
    if (current) {
      const plan = await migrate(driver, edited.spec, { dryRun: true, allowBreaking, backfills, author: author() });
      const pending = diffSpecs(current.spec, spec).length > 0;
      console.log(`\nMigration of the database${pending ? ` (it holds spec version ${current.version}, which differs from ${file}: the plan includes those changes too)` : ''}:\n${formatReport(plan)}`);
      breaking ||= plan.verdict === 'breaking';
      if (plan.refused.length) {
        console.error(`\nkiln: not applied: ${breaking && !allowBreaking ? 'this edit is breaking; run again with --allow-breaking to accept it' : 'the migration gate refuses it'}.`);
        return 1;
      }
      if (plan.failures.length) {
        console.error('\nkiln: not applied: existing rows would not fit the new spec (listed above).');
        return 1;
      }
    } else {
      console.log('\nThe database holds no app yet: `kiln start` creates it from the new spec.');
    }
    if (breaking && !allowBreaking) {
      console.error('\nkiln: not applied: this edit is breaking; run again with --allow-breaking to accept it.');
      return 1;
    }
    if (values.yes !== true) {
      console.log(`\nNot applied: nothing changed. Run again with --yes to write ${file}${current ? ' and migrate the database' : ''}.`);
      return 0;
    }
    if (current) {
      const applied = await migrate(driver, edited.spec, { allowBreaking, backfills, author: author() });
      if (!applied.applied) {
        console.log(formatReport(applied));
        console.error('\nkiln: the migration failed and was rolled back; nothing changed.');
        return 1;
      }
      console.log(`\nApplied: spec version ${applied.toVersion}. Running servers pick it up within a few seconds.`);
    }
    await writeSpecFile(file, edited.spec);
    console.log(`Wrote ${file}.`);
    return 0;
  });
}

function formatChanges(changes: SpecChange[]): string {
  return changes.map((c) => `  ${MARK[c.class]}  ${describe(c)}\n              ${c.reason}`).join('\n');
}
