// The audit log's table, created at start beside the identity tables (both drivers). Details are a
// JSON text column: they are read back whole, never queried into.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../../data/driver.ts';

export const AUDIT_TABLE = 'kiln_audit_log';

export async function createAuditTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(AUDIT_TABLE)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('at', sql.raw(driver.timestampType), (c) => c.notNull())
    // The tenant's slug (tenants are never renamed); null for events of no one tenant, like a sign-in.
    .addColumn('tenant', 'text')
    // Who did it: a user id, "root", or "key:<id>" (an API key); null when nobody is known (a failed sign-in).
    .addColumn('actor', 'text')
    // The account the event is about (the person signing in, the member whose roles changed).
    .addColumn('userId', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('userAgent', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  // Ids are UUIDv7, so id order is time order: pages are keyset ranges on the primary key and these.
  await trx.schema.createIndex('kiln_audit_log_tenant').ifNotExists().on(AUDIT_TABLE).columns(['tenant', 'id']).execute();
  await trx.schema.createIndex('kiln_audit_log_user').ifNotExists().on(AUDIT_TABLE).columns(['userId', 'id']).execute();
}
