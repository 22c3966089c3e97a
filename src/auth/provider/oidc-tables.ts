// The provider's tables: one for everything oidc-provider stores through its Adapter (sessions,
// grants, codes, refresh tokens, device codes, interactions) plus Kiln's own short-lived records
// (issued JWT access tokens by grant, revoked token ids, refresh replays, grant tenants), and one for
// the signing keys. Times are whole seconds since the epoch, which both databases compare alike.
import type { AnyDB, StorageDriver } from '../../data/driver.ts';
import { lockSchema } from '../../data/schema-sync.ts';

export const OIDC_MODELS_TABLE = 'kiln_oidc_models';
export const OIDC_KEYS_TABLE = 'kiln_oidc_keys';

async function create(trx: AnyDB): Promise<void> {
  await trx.schema
    .createTable(OIDC_MODELS_TABLE)
    .ifNotExists()
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grantId', 'text')
    .addColumn('userCode', 'text')
    .addColumn('uid', 'text')
    .addColumn('expiresAt', 'bigint')
    .addColumn('consumedAt', 'bigint')
    .addPrimaryKeyConstraint('kiln_oidc_models_pk', ['model', 'id'])
    .execute();
  // The adapter's lookups besides the key: a grant's tokens, a device's user code, a session's uid.
  await trx.schema.createIndex('kiln_oidc_models_grant').ifNotExists().on(OIDC_MODELS_TABLE).columns(['model', 'grantId']).execute();
  await trx.schema.createIndex('kiln_oidc_models_user_code').ifNotExists().on(OIDC_MODELS_TABLE).columns(['model', 'userCode']).execute();
  await trx.schema.createIndex('kiln_oidc_models_uid').ifNotExists().on(OIDC_MODELS_TABLE).columns(['model', 'uid']).execute();
  await trx.schema.createIndex('kiln_oidc_models_expires').ifNotExists().on(OIDC_MODELS_TABLE).columns(['expiresAt']).execute();
  await trx.schema
    .createTable(OIDC_KEYS_TABLE)
    .ifNotExists()
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('jwk', 'text', (c) => c.notNull())
    .addColumn('createdAt', 'bigint', (c) => c.notNull())
    .addColumn('activatesAt', 'bigint', (c) => c.notNull())
    .execute();
}

export async function ensureOidcTables(driver: StorageDriver): Promise<void> {
  await driver.db.transaction().execute(async (trx) => {
    await lockSchema(trx, driver);
    await create(trx);
  });
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Removes every record whose time is up; the provider calls it on start and now and then. */
export async function deleteExpired(db: AnyDB): Promise<number> {
  const r = await db.deleteFrom(OIDC_MODELS_TABLE).where('expiresAt', '<', nowSeconds()).executeTakeFirst();
  return Number(r.numDeletedRows);
}
