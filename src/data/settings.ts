// Kiln's own key-value settings (the root token's hash, the created layout), in the app's database.
import type { StorageDriver } from './driver.ts';
import { SYSTEM_TABLES } from './model.ts';

export async function readSetting(driver: StorageDriver, key: string): Promise<string | undefined> {
  const row = await driver.db.selectFrom(SYSTEM_TABLES.settings).select('value').where('key', '=', key).executeTakeFirst();
  return row?.value as string | undefined;
}

/** Writes the value unless the key is already set, and returns whichever value is stored. */
export async function writeSettingOnce(driver: StorageDriver, key: string, value: string): Promise<string> {
  await driver.db.insertInto(SYSTEM_TABLES.settings).values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await readSetting(driver, key))!;
}

export async function writeSetting(driver: StorageDriver, key: string, value: string): Promise<void> {
  await driver.db
    .insertInto(SYSTEM_TABLES.settings)
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
