// Creates (or completes) better-auth's tables with its own migration planner, inside one transaction
// under the schema lock, so several processes starting together against one PostgreSQL database
// do not race. Only additions are ever made: a plan that would change a populated table refuses.
import { getMigrations } from 'better-auth/db/migration';
import type { StorageDriver } from '../../data/driver.ts';
import { lockSchema } from '../../data/schema-sync.ts';
import { createMailOutboxTable } from '../mail/outbox.ts';
import { authSchemaOptions } from './auth-schema.ts';

export async function ensureIdentityTables(driver: StorageDriver): Promise<void> {
  await driver.db.transaction().execute(async (trx) => {
    await lockSchema(trx, driver);
    await createMailOutboxTable(trx, driver);
    const { runMigrations } = await getMigrations(authSchemaOptions(trx, driver));
    await runMigrations();
  });
}
