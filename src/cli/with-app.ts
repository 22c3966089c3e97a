// What the commands that work on an app's database share: read and check the spec file, open the
// configured database for it, and close it whatever happens.
import { resolve } from 'node:path';
import type { Spec } from '../spec/schema.ts';
import { loadSpec, formatIssues } from '../spec/load.ts';
import type { StorageDriver } from '../data/driver.ts';
import { openDriver } from '../data/open-driver.ts';
import { readConfig, type Config } from './config.ts';

export type AppHandle = { driver: StorageDriver; spec: Spec; config: Config };

export async function withApp(specFile: string | undefined, work: (app: AppHandle) => Promise<number>): Promise<number> {
  const file = resolve(specFile ?? 'kiln.json');
  const checked = await loadSpec(file);
  if (!checked.ok) {
    console.error(`kiln: ${file} is not a valid spec:\n${formatIssues(checked.errors)}`);
    return 1;
  }
  const config = readConfig();
  const driver = openDriver({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, appName: checked.spec.name });
  try {
    return await work({ driver, spec: checked.spec, config });
  } finally {
    await driver.close();
  }
}
