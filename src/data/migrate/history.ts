// The applied spec versions, newest last: each with its hash, time, author and the changes it made.
import type { Spec } from '../../spec/schema.ts';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { SYSTEM_TABLES } from '../model.ts';
import type { SpecChange } from '../../spec/diff.ts';

export type SpecVersion = { version: number; hash: string; spec: Spec; plan: SpecChange[]; author: string; appliedAt: string };

function toVersion(driver: StorageDriver, r: Record<string, unknown>): SpecVersion {
  return {
    version: Number(r.version),
    hash: r.hash as string,
    spec: JSON.parse(r.spec as string) as Spec,
    plan: JSON.parse(r.plan as string) as SpecChange[],
    author: r.author as string,
    appliedAt: driver.decodeTimestamp(r.appliedAt),
  };
}

export async function listVersions(driver: StorageDriver): Promise<SpecVersion[]> {
  if (!(await tableExists(driver, driver.db))) return [];
  const rows = await driver.db.selectFrom(SYSTEM_TABLES.specVersions).selectAll().orderBy('version').execute();
  return rows.map((r) => toVersion(driver, r));
}

export async function currentVersion(driver: StorageDriver, db: AnyDB = driver.db): Promise<SpecVersion | undefined> {
  const hasTable = await tableExists(driver, db);
  if (!hasTable) return undefined;
  const r = await db.selectFrom(SYSTEM_TABLES.specVersions).selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  return r ? toVersion(driver, r) : undefined;
}

async function tableExists(driver: StorageDriver, db: AnyDB): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === SYSTEM_TABLES.specVersions);
}
