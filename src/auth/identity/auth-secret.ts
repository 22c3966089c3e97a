// The secret that signs session cookies and email tokens. KILN_AUTH_SECRET when set; otherwise one
// is generated on first start and kept in the settings table, so every process of the app and every
// restart signs with the same key. Unlike the root token it is stored as it is: signing needs it.
import { randomBytes } from 'node:crypto';
import type { StorageDriver } from '../../data/driver.ts';
import { readSetting, writeSettingOnce } from '../../data/settings.ts';

const KEY = 'auth_secret';
export const MIN_SECRET_LENGTH = 32;

export async function setupAuthSecret(driver: StorageDriver, fromEnv?: string): Promise<string> {
  if (fromEnv) {
    if (fromEnv.length < MIN_SECRET_LENGTH) throw new Error(`KILN_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
    return fromEnv;
  }
  const stored = await readSetting(driver, KEY);
  if (stored) return stored;
  // Another process may generate one at the same moment: whichever was stored first wins.
  return writeSettingOnce(driver, KEY, randomBytes(32).toString('base64url'));
}
