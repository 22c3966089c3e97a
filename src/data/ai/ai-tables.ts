// Where the model gateway keeps its state, beside the app's other system tables: every prompt and
// answer under its content hash (deduplicated), one row per gateway call (the audit log `kiln ai log`
// reads), the provider requests the durable queue runs, the response cache, and the token budgets.
// The gateway (src/intelligence/gateway) decides what the rows mean; this file only holds their shape.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';

export const AI_TABLES = {
  blobs: 'kiln_ai_blobs',
  calls: 'kiln_ai_calls',
  requests: 'kiln_ai_requests',
  cache: 'kiln_ai_cache',
  budgetUsage: 'kiln_ai_budget_usage',
  budgetLimits: 'kiln_ai_budget_limits',
} as const;

export async function createAiTables(trx: AnyDB, driver: StorageDriver): Promise<void> {
  const ts = sql.raw(driver.timestampType);
  await trx.schema
    .createTable(AI_TABLES.blobs)
    .ifNotExists()
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('createdAt', ts, (c) => c.notNull())
    .execute();
  await trx.schema
    .createTable(AI_TABLES.calls)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('user', 'text')
    // 'call', or 'shadow' for a shadow version's run (scored, never returned).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('requestedModel', 'text', (c) => c.notNull())
    .addColumn('responseModel', 'text')
    .addColumn('inputTokens', 'bigint', (c) => c.notNull())
    .addColumn('outputTokens', 'bigint', (c) => c.notNull())
    // 'pending', 'done' or 'failed' (the offline implementation itself threw).
    .addColumn('status', 'text', (c) => c.notNull())
    // 'model', 'cache' or 'offline' once done.
    .addColumn('source', 'text')
    .addColumn('cacheHit', 'integer', (c) => c.notNull())
    .addColumn('repairs', 'integer', (c) => c.notNull())
    .addColumn('errorKind', 'text')
    .addColumn('latencyMs', 'integer')
    .addColumn('idempotencyKey', 'text')
    .addColumn('promptHash', 'text')
    .addColumn('outputHash', 'text')
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('createdAt', ts, (c) => c.notNull())
    .addColumn('finishedAt', ts)
    .execute();
  // NULL keys never collide (both databases), so only calls that carry a key are held to it.
  await trx.schema.createIndex('kiln_ai_calls_idem').ifNotExists().unique().on(AI_TABLES.calls).columns(['tenant', 'idempotencyKey']).execute();
  await trx.schema.createIndex('kiln_ai_calls_recent').ifNotExists().on(AI_TABLES.calls).columns(['createdAt', 'id']).execute();
  await trx.schema
    .createTable(AI_TABLES.requests)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('callId', sql.raw(driver.idType), (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    // 'queued' until the provider answered ('done') or failed for good ('failed').
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('responseModel', 'text')
    .addColumn('inputTokens', 'bigint')
    .addColumn('outputTokens', 'bigint')
    .addColumn('finishReason', 'text')
    .addColumn('errorKind', 'text')
    .addColumn('error', 'text')
    .addColumn('createdAt', ts, (c) => c.notNull())
    .addColumn('finishedAt', ts)
    .execute();
  await trx.schema
    .createTable(AI_TABLES.cache)
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('outputHash', 'text', (c) => c.notNull())
    .addColumn('responseModel', 'text', (c) => c.notNull())
    .addColumn('expiresAt', ts)
    .addColumn('createdAt', ts, (c) => c.notNull())
    .execute();
  await trx.schema
    .createTable(AI_TABLES.budgetUsage)
    .ifNotExists()
    .addColumn('tenant', 'text', (c) => c.notNull())
    // Calendar month, UTC: "2025-03".
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('reservedTokens', 'bigint', (c) => c.notNull())
    .addColumn('usedTokens', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kiln_ai_budget_usage_pk', ['tenant', 'period'])
    .execute();
  await trx.schema
    .createTable(AI_TABLES.budgetLimits)
    .ifNotExists()
    .addColumn('tenant', 'text', (c) => c.primaryKey())
    .addColumn('softTokens', 'bigint')
    .addColumn('hardTokens', 'bigint')
    .execute();
}
