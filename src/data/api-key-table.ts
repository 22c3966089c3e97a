// Where API keys live (src/auth/api-keys.ts decides what they mean): one row per key, its tenant,
// the spec role it grants, and only the SHA-256 of the key itself.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from './driver.ts';

export const API_KEYS_TABLE = 'kiln_api_keys';

export async function createApiKeyTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(API_KEYS_TABLE)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('tenant', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('lastFour', 'text', (c) => c.notNull())
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .execute();
  await trx.schema.createIndex('kiln_api_keys_tenant').ifNotExists().on(API_KEYS_TABLE).columns(['tenant']).execute();
}
