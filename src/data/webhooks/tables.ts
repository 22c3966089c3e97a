// Webhook subscriptions and their delivery log. Secrets are stored as they are, because signing
// needs them (unlike the root token, which is only ever compared and so is stored as a hash).
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { SYSTEM_TABLES } from '../model.ts';
import { columnsOf } from '../table-columns.ts';

export const WEBHOOK_TABLES = { subscriptions: 'kiln_webhooks', deliveries: 'kiln_webhook_deliveries' } as const;

export async function createWebhookTables(trx: AnyDB, driver: StorageDriver): Promise<void> {
  const pg = driver.dialect === 'postgres';
  const id = sql.raw(driver.idType);
  const ts = sql.raw(driver.timestampType);
  await trx.schema
    .createTable(WEBHOOK_TABLES.subscriptions)
    .ifNotExists()
    .addColumn('id', id, (c) => c.primaryKey())
    .addColumn('tenant', id, (c) => c.notNull().references(`${SYSTEM_TABLES.tenants}.id`))
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON arrays; null matches every collection or event type.
    .addColumn('collections', 'text')
    .addColumn('events', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    // The secret before the last rotation keeps signing until it expires, so receivers can switch over.
    .addColumn('previousSecret', 'text')
    .addColumn('previousSecretExpiresAt', ts)
    // Null while enabled; set with a reason when deliveries stop after repeated failures.
    .addColumn('disabledAt', ts)
    .addColumn('disabledReason', 'text')
    .addColumn('consecutiveFailures', 'integer', (c) => c.notNull())
    .addColumn('failingSince', ts)
    .addColumn('createdAt', ts, (c) => c.notNull())
    .addColumn('updatedAt', ts, (c) => c.notNull())
    .execute();
  // The role whose rules shape a subscription's payloads; null: full items. Added in place to older tables.
  if (!(await columnsOf(trx, driver, WEBHOOK_TABLES.subscriptions)).has('role')) await trx.schema.alterTable(WEBHOOK_TABLES.subscriptions).addColumn('role', 'text').execute();
  await trx.schema.createIndex('kiln_webhooks_tenant').ifNotExists().on(WEBHOOK_TABLES.subscriptions).columns(['tenant']).execute();
  await trx.schema
    .createTable(WEBHOOK_TABLES.deliveries)
    .ifNotExists()
    // A sequence orders the log exactly, even for attempts within the same millisecond.
    .addColumn('seq', pg ? 'bigserial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('webhook', id, (c) => c.notNull().references(`${WEBHOOK_TABLES.subscriptions}.id`).onDelete('cascade'))
    .addColumn('messageId', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // 'succeeded', 'failed', or 'skipped' (the subscription was stopped when the attempt came due).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('statusCode', 'integer')
    .addColumn('durationMs', 'integer')
    .addColumn('error', 'text')
    .addColumn('at', ts, (c) => c.notNull())
    // When the next attempt of this message is due; null when there is none.
    .addColumn('nextAttemptAt', ts)
    .execute();
  await trx.schema.createIndex('kiln_webhook_deliveries_webhook').ifNotExists().on(WEBHOOK_TABLES.deliveries).columns(['webhook', 'seq']).execute();
}
