// `kiln new DIR --describe "…"`: plans an app from a description and writes DIR/kiln.json and DIR/seed.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { planApp, type BuilderOutcome, type PlannedApp } from '../intelligence/builder/builder.ts';
import { PlanError } from '../intelligence/builder/planner/plan-offline.ts';
import { createGateway } from '../intelligence/gateway/gateway.ts';
import { readAiConfig } from '../intelligence/gateway/ai-config.ts';
import { allPrompts } from '../intelligence/prompts.ts';
import { openDriver } from '../data/open-driver.ts';
import { readConfig } from './config.ts';

export const help = `Usage: kiln new DIR --describe "DESCRIPTION" [--force]

Plans an app from a plain-English description and writes DIR/kiln.json (the spec) and
DIR/seed.json (sample content), then prints what it understood and what it assumed.
The app is named after DIR. Planning runs through the model gateway: offline by default,
a model when KILN_AI_PROVIDER is set (see README). The call is logged in the app's database,
where "kiln ai log" shows it.

Options:
  --describe TEXT  What the app holds, who uses it, how people sign in.
  --force          Overwrite an existing DIR/kiln.json and DIR/seed.json.
  -h, --help       Show this help.`;

const NAME = /^[a-z][a-zA-Z0-9_]{0,29}$/;

/** Plans through the gateway, which logs the call in the new app's own database. */
async function plan(description: string, name: string): Promise<BuilderOutcome<PlannedApp>> {
  const config = readConfig();
  const driver = openDriver({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, appName: name });
  try {
    const gateway = await createGateway({ driver, config: readAiConfig(), prompts: allPrompts });
    try {
      return await planApp(gateway, { description, name });
    } finally {
      await gateway.stop();
    }
  } finally {
    await driver.close();
  }
}

export async function newCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { describe: { type: 'string', short: 'd' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    console.error(`kiln new: ${(e as Error).message}\n\n${help}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(help);
    return 0;
  }
  if (positionals.length !== 1 || !values.describe?.trim()) {
    console.error(`kiln new: ${positionals.length !== 1 ? 'give exactly one DIR' : 'give a description with --describe'}\n\n${help}`);
    return 2;
  }
  const dir = resolve(positionals[0]);
  const specFile = join(dir, 'kiln.json');
  if (existsSync(specFile) && !values.force) {
    console.error(`kiln new: ${specFile} already exists; use --force to overwrite it.`);
    return 1;
  }
  const base = basename(dir).replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
  // A folder name that is no valid spec name ("2026-site") still names the app, prefixed.
  const name = NAME.test(base) ? base : `app${base.replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 30);
  let result: BuilderOutcome<PlannedApp>;
  try {
    result = await plan(values.describe, name);
  } catch (e) {
    if (e instanceof PlanError) {
      console.error(`kiln new: ${e.message}`);
      return 1;
    }
    throw e;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(specFile, JSON.stringify(result.spec, null, 2) + '\n');
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(result.seed, null, 2) + '\n');
  const rel = relative(process.cwd(), dir);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
  const lines = [
    `Wrote ${join(shown, 'kiln.json')} and ${join(shown, 'seed.json')}.`,
    '',
    'Understood:',
    ...result.understood.map((u) => `  - ${u}`),
    '',
    'Assumptions (check these):',
    ...(result.assumptions.length ? result.assumptions.map((a) => `  - ${a}`) : ['  - none']),
    ...(result.refused.length ? ['', 'Refused (edit kiln.json by hand if you mean it):', ...result.refused.map((r) => `  - ${r}`)] : []),
    ...(result.warnings.length ? ['', 'Warnings:', ...result.warnings.map((w) => `  - ${w}`)] : []),
    '',
    `Planned by: ${result.source === 'offline' ? 'the offline planner' : `${result.provider} ${result.model}${result.source === 'cache' ? ', a stored answer from the AI cache' : ''}`} (prompt builder.plan v${result.promptVersion}).`,
    '',
    'Next steps:',
    `  kiln spec check ${join(shown, 'kiln.json')}`,
    `  kiln start ${join(shown, 'kiln.json')} --seed`,
  ];
  console.log(lines.join('\n'));
  return 0;
}
