// Printing a migration plan, and the shared flow of `kiln migrate` and `kiln spec rollback`:
// check it as a dry run, show it, then apply only with consent.
import { createInterface } from 'node:readline/promises';
import type { Spec } from '../spec/schema.ts';
import type { StorageDriver } from '../data/driver.ts';
import { migrate, describe, type MigrationReport } from '../data/migrate/migrate.ts';

const MARK = { safe: 'safe    ', backfill: 'backfill', breaking: 'BREAKING' } as const;

export function formatReport(r: MigrationReport): string {
  const lines: string[] = [];
  if (r.changes.length === 0) return 'No changes: the database already holds this spec.';
  lines.push(`Plan: spec version ${r.fromVersion} → ${r.toVersion ?? r.fromVersion + 1} (${r.verdict})`, '', 'Changes:');
  for (const c of r.changes) lines.push(`  ${MARK[c.class]}  ${describe(c)}\n              ${c.reason}`);
  if (r.statements.length) lines.push('', 'SQL:', ...r.statements.map((s) => (s.startsWith('--') ? `  ${s}` : `  ${s};`)));
  if (r.rows.length) lines.push('', 'Rows:', ...r.rows.map((x) => `  ${x.collection}: ${x.copied} rows copied and checked`));
  if (r.failures.length) {
    lines.push('', `Rows that would fail (${r.failures.length}${r.failures.length >= 50 ? '+' : ''}):`);
    for (const f of r.failures) lines.push(`  ${[f.collection, f.id, f.field].filter(Boolean).join(' ')}: ${f.message}`);
  }
  if (r.refused.length) lines.push('', 'Refused without --allow-breaking:', ...r.refused.map((x) => `  - ${x}`));
  return lines.join('\n');
}

export type FlowOptions = { dryRun: boolean; allowBreaking: boolean; yes: boolean; json: boolean; backfills: Map<string, unknown>; author: string };

export async function runMigrationFlow(driver: StorageDriver, target: Spec, o: FlowOptions): Promise<number> {
  const plan = await migrate(driver, target, { dryRun: true, allowBreaking: o.allowBreaking, backfills: o.backfills, author: o.author });
  const print = (r: MigrationReport) => (o.json ? console.log(JSON.stringify(r, null, 2)) : console.log(formatReport(r)));
  if (o.dryRun || plan.refused.length || plan.failures.length || plan.changes.length === 0) {
    print(plan);
    if (o.dryRun && !plan.refused.length && !plan.failures.length && plan.changes.length) console.log('\nDry run: everything above ran in a transaction that was rolled back; nothing changed.');
    return plan.refused.length || plan.failures.length ? 1 : 0;
  }
  if (!o.json) console.log(formatReport(plan));
  if (!o.yes) {
    if (!process.stdin.isTTY) {
      console.error('\nkiln: not applied. Pass --yes to apply without a prompt.');
      return 1;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('\nApply this plan? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      console.log('Not applied.');
      return 1;
    }
  }
  const applied = await migrate(driver, target, {
    allowBreaking: o.allowBreaking,
    backfills: o.backfills,
    author: o.author,
    onProgress: o.json ? undefined : (p) => process.stderr.write(`\r  ${p.table}: ${p.copied}/${p.total} rows${p.copied === p.total ? '\n' : ''}`),
  });
  if (o.json) print(applied);
  if (!applied.applied) {
    if (!o.json) console.log(formatReport(applied));
    console.error('\nkiln: the migration failed and was rolled back; nothing changed.');
    return 1;
  }
  if (!o.json) console.log(`\nApplied: spec version ${applied.toVersion}. Running servers pick it up within a few seconds.`);
  return 0;
}

/** `--backfill articles.rating=3`: the value is JSON when it parses as JSON, text otherwise. */
export function parseBackfills(values: string[] | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`--backfill takes collection.field=VALUE, not "${v}"`);
    const raw = v.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text
    }
    out.set(v.slice(0, i), value);
  }
  return out;
}
