// The spec every bench process serves: examples/magazine, checked the way `kiln start` checks it.
import { readFileSync } from 'node:fs';
import { checkSpec } from '../src/spec/check.ts';
import type { Spec } from '../src/spec/schema.ts';

export function magazineSpec(): Spec {
  const r = checkSpec(JSON.parse(readFileSync(new URL('../examples/magazine/kiln.json', import.meta.url), 'utf8')));
  if (!r.ok) throw new Error(`examples/magazine/kiln.json is invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

/** The database file Kiln's SQLite driver uses for an app in a data dir (see src/data/open-driver.ts). */
export const dbFileName = (spec: Spec) => `${spec.name}.db`;
