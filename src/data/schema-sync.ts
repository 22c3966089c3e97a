// Creates Kiln's system tables and the spec's tables, indexes and constraints on first start, in one
// transaction, and records that spec as version 1. A later start with a spec whose tables differ
// is refused with the differences, since changing tables that hold data is the migration gate's
// job (`kiln migrate`), never a side effect of starting.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Spec } from '../spec/schema.ts';
import type { AnyDB, StorageDriver } from './driver.ts';
import { createEventTable } from './events/event-log.ts';
import { createScheduleTable } from './events/scheduled-transitions.ts';
import { createApiKeyTable } from './api-key-table.ts';
import { createJobTable } from './queue/db-queue.ts';
import { createWebhookTables } from './webhooks/tables.ts';
import { createMediaTable } from './media/media-table.ts';
import { createAiTables } from './ai/ai-tables.ts';
import { columnsOf } from './table-columns.ts';
import { SYSTEM_TABLES, TENANT_COLUMN, constraintName, type AppModel, type CollectionModel, type FieldModel } from './model.ts';

export type Layout = Record<string, Record<string, string>>;

/** Runs one schema statement; a migration passes one that also records the SQL it shows. */
export type Exec = (statement: { compile(): { sql: string }; execute(): Promise<unknown> }) => Promise<unknown>;
const plain: Exec = (s) => s.execute();

export class LayoutMismatchError extends Error {
  readonly differences: string[];
  constructor(differences: string[]) {
    super(`the database holds a different version of this app's tables:\n  ${differences.join('\n  ')}\nApply the new spec with \`kiln migrate\` (it shows the plan and checks it first).`);
    this.differences = differences;
  }
}

/** What tables and columns the spec needs on this driver; compared with what the database holds. */
export function layoutOf(model: AppModel, driver: StorageDriver): Layout {
  const layout: Layout = {};
  for (const cm of model.collections.values()) {
    const cols: Record<string, string> = {};
    for (const fm of cm.columns) {
      const f = fm.field;
      cols[fm.name] = `${driver.columnType(f)}${f.required ? ' not null' : ''}${f.unique ? ' unique' : ''}${f.type === 'relation' ? ` -> ${f.to}` : ''}${f.index ? ' indexed' : ''}`;
    }
    layout[cm.table] = cols;
    for (const fm of cm.lists) layout[fm.joinTable!] = { target: `-> ${(fm.field as { to: string }).to}` };
    if (cm.live) {
      layout[cm.live.table] = { ...cols, publish: `${cm.live.workflow.field} = ${cm.live.workflow.publish}` };
      for (const [f, jt] of cm.live.joins) layout[jt] = { target: `-> ${(cm.fields.get(f)!.field as { to: string }).to}`, of: cm.live.table };
    }
  }
  return layout;
}

export function diffLayouts(was: Layout, now: Layout): string[] {
  const out: string[] = [];
  for (const t of Object.keys(was)) if (!(t in now)) out.push(`table "${t}" is no longer in the spec`);
  for (const [t, cols] of Object.entries(now)) {
    if (!(t in was)) {
      out.push(`table "${t}" is new in the spec`);
      continue;
    }
    for (const c of Object.keys(was[t])) if (!(c in cols)) out.push(`column "${t}.${c}" is no longer in the spec`);
    for (const [c, def] of Object.entries(cols)) {
      if (!(c in was[t])) out.push(`column "${t}.${c}" is new in the spec`);
      else if (was[t][c] !== def) out.push(`column "${t}.${c}" changed from "${was[t][c]}" to "${def}"`);
    }
  }
  return out;
}

export function specHash(spec: Spec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** Serializes schema changes between processes sharing one PostgreSQL database. */
export async function lockSchema(trx: AnyDB, driver: StorageDriver): Promise<void> {
  if (driver.dialect === 'postgres') await sql`select pg_advisory_xact_lock(7243010001)`.execute(trx);
}

export async function ensureSchema(driver: StorageDriver, model: AppModel): Promise<{ created: boolean }> {
  const layout = layoutOf(model, driver);
  return driver.db.transaction().execute(async (trx) => {
    // Several processes may start at once against one database; only one creates the tables.
    await lockSchema(trx, driver);
    await createSystemTables(trx, driver);
    const row = await trx.selectFrom(SYSTEM_TABLES.settings).select('value').where('key', '=', 'layout').executeTakeFirst();
    if (row) {
      await addOwnerColumns(trx, driver, model);
      const differences = diffLayouts(JSON.parse(row.value as string) as Layout, layout);
      if (differences.length) throw new LayoutMismatchError(differences);
      return { created: false };
    }
    await createCollections(trx, driver, model, [...model.collections.values()]);
    await trx.insertInto(SYSTEM_TABLES.settings).values({ key: 'layout', value: JSON.stringify(layout) }).execute();
    await recordVersion(trx, driver, model.spec, { author: 'kiln start', plan: [] });
    return { created: true };
  });
}

/**
 * Tables created before items recorded their creator gain the `createdBy` and `updatedBy` system
 * columns in place (null for existing items: nobody is known to own them). They are system columns,
 * outside the layout, so this is an upgrade of Kiln's own bookkeeping, never a spec change to gate.
 */
export async function addOwnerColumns(trx: AnyDB, driver: StorageDriver, model: AppModel): Promise<void> {
  for (const cm of model.collections.values()) {
    for (const table of cm.live ? [cm.table, cm.live.table] : [cm.table]) {
      const have = await columnsOf(trx, driver, table);
      if (have.size === 0 || have.has('createdBy')) continue;
      await trx.schema.alterTable(table).addColumn('createdBy', 'text').execute();
      if (!have.has('updatedBy')) await trx.schema.alterTable(table).addColumn('updatedBy', 'text').execute();
      await trx.schema.createIndex(constraintName('ix', table, 'createdBy')).ifNotExists().on(table).columns([TENANT_COLUMN, 'createdBy', 'id']).execute();
    }
  }
}

/** Creates tables, join tables, indexes and constraints for the given collections of `model`. */
export async function createCollections(trx: AnyDB, driver: StorageDriver, model: AppModel, collections: CollectionModel[], exec: Exec = plain): Promise<void> {
  for (const cm of collections) {
    await createTable(trx, driver, cm, model, cm.table, exec);
    await createIndexes(trx, driver, cm, exec);
    if (cm.live) await createLiveView(trx, driver, cm, model, exec, false);
  }
  // PostgreSQL checks that a referenced table exists, and relations may form cycles: add them last.
  if (driver.dialect === 'postgres') {
    for (const cm of collections) {
      await addForeignKeys(trx, cm, undefined, exec);
      if (cm.live) await addForeignKeys(trx, cm, undefined, exec, cm.live.table);
    }
  }
  for (const cm of collections) {
    for (const fm of cm.lists) await createJoinTable(trx, driver, cm, fm, model, fm.joinTable!, exec);
    if (cm.live) for (const fm of cm.lists) await createJoinTable(trx, driver, cm, fm, model, cm.live.joins.get(fm.name)!, exec, cm.live.table);
  }
}

/** The published view of a collection: the same columns in their own table, with their own join tables. */
export async function createLiveView(trx: AnyDB, driver: StorageDriver, cm: CollectionModel, model: AppModel, exec: Exec = plain, withKeysAndJoins = true): Promise<void> {
  const live = cm.live!;
  await createTable(trx, driver, cm, model, live.table, exec);
  await createIndexes(trx, driver, cm, exec, live.table);
  if (!withKeysAndJoins) return;
  if (driver.dialect === 'postgres') await addForeignKeys(trx, cm, undefined, exec, live.table);
  for (const fm of cm.lists) await createJoinTable(trx, driver, cm, fm, model, live.joins.get(fm.name)!, exec, live.table);
}

export async function createSystemTables(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(SYSTEM_TABLES.tenants)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .execute();
  await trx.schema
    .createTable(SYSTEM_TABLES.settings)
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await trx.schema
    .createTable(SYSTEM_TABLES.specVersions)
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('appliedAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .execute();
  await createEventTable(trx, driver);
  await createMediaTable(trx, driver);
  await driver.search.createTables(trx);
  await createJobTable(trx, driver);
  await createScheduleTable(trx, driver);
  await createApiKeyTable(trx, driver);
  await createWebhookTables(trx, driver);
  await createAiTables(trx, driver);
}

export type VersionRecord = { author: string; plan: unknown };

export async function recordVersion(trx: AnyDB, driver: StorageDriver, spec: Spec, record: VersionRecord): Promise<number> {
  const last = await trx.selectFrom(SYSTEM_TABLES.specVersions).select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  await trx
    .insertInto(SYSTEM_TABLES.specVersions)
    .values({
      version,
      hash: specHash(spec),
      spec: JSON.stringify(spec),
      plan: JSON.stringify(record.plan),
      author: record.author,
      appliedAt: driver.encodeTimestamp(new Date().toISOString()),
    })
    .execute();
  return version;
}

/** Creates the collection's table under `name` (a temporary name during a rebuild), without indexes. */
export async function createTable(trx: AnyDB, driver: StorageDriver, cm: CollectionModel, model: AppModel, name: string, exec: Exec = plain): Promise<void> {
  let t = trx.schema
    .createTable(name)
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn(TENANT_COLUMN, sql.raw(driver.idType), (c) => c.notNull().references(`${SYSTEM_TABLES.tenants}.id`))
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('updatedAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('createdBy', 'text')
    .addColumn('updatedBy', 'text');
  for (const fm of cm.columns) {
    t = t.addColumn(fm.name, sql.raw(driver.columnType(fm.field)), (c) => (fm.field.required ? c.notNull() : c));
  }
  // Composite keys let relations reference (tenant, id): the database itself refuses a link across tenants.
  t = t.addUniqueConstraint(constraintName('tid', name), [TENANT_COLUMN, 'id']);
  if (driver.dialect === 'sqlite') {
    // SQLite resolves a foreign key by table name when it is used, so it may name a table created later.
    for (const fm of cm.columns) {
      if (fm.field.type !== 'relation') continue;
      const target = model.collections.get(fm.field.to)!.table;
      // The builder types column names from the columns added above and cannot follow spec names.
      t = t.addForeignKeyConstraint(constraintName('fk', name, fm.name), [TENANT_COLUMN, fm.name] as never[], target, [TENANT_COLUMN, 'id'], (c) => c.deferrable().initiallyImmediate());
    }
  }
  await exec(t);
}

export async function createIndexes(trx: AnyDB, driver: StorageDriver, cm: CollectionModel, exec: Exec = plain, table = cm.table): Promise<void> {
  await exec(trx.schema.createIndex(constraintName('ix', table, 'createdAt')).on(table).columns([TENANT_COLUMN, 'createdAt', 'id']));
  // "own" row rules read a caller's items of one tenant.
  await exec(trx.schema.createIndex(constraintName('ix', table, 'createdBy')).on(table).columns([TENANT_COLUMN, 'createdBy', 'id']));
  for (const fm of cm.columns) {
    const f = fm.field;
    if (f.unique) {
      await exec(trx.schema.createIndex(constraintName('uq', table, fm.name)).unique().on(table).columns([TENANT_COLUMN, fm.name]));
    } else if (f.index || f.type === 'relation') {
      // Ending in id, in the null order lists use (first going up, last going down), an index serves
      // a sorted page and every keyset page after it without sorting the tenant's rows. SQLite's
      // natural order already puts nulls first; PostgreSQL's needs saying, for nullable fields.
      const ix = trx.schema.createIndex(constraintName('ix', table, fm.name)).on(table);
      await exec(
        driver.dialect === 'postgres' && !f.required
          ? ix.column(sql`${sql.ref(TENANT_COLUMN)}, ${sql.ref(fm.name)} asc nulls first, ${sql.ref('id')}`)
          : ix.columns([TENANT_COLUMN, fm.name, 'id']),
      );
    }
  }
}

/** PostgreSQL only: the to-one relations of a collection as composite foreign keys. */
export async function addForeignKeys(trx: AnyDB, cm: CollectionModel, only?: (fm: FieldModel) => boolean, exec: Exec = plain, table = cm.table): Promise<void> {
  for (const fm of cm.columns) {
    if (fm.field.type !== 'relation' || (only && !only(fm))) continue;
    await exec(
      trx.schema
        .alterTable(table)
        .addForeignKeyConstraint(constraintName('fk', table, fm.name), [TENANT_COLUMN, fm.name], fm.field.to, [TENANT_COLUMN, 'id'], (c) => c.deferrable().initiallyImmediate()),
    );
  }
}

export async function createJoinTable(trx: AnyDB, driver: StorageDriver, cm: CollectionModel, fm: FieldModel, model: AppModel, name: string, exec: Exec = plain, sourceTable = cm.table): Promise<void> {
  const target = model.collections.get((fm.field as { to: string }).to)!.table;
  await exec(
    trx.schema
      .createTable(name)
      .addColumn(TENANT_COLUMN, sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('source', sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('target', sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(constraintName('pk', name), ['source', 'target'])
      .addForeignKeyConstraint(constraintName('fks', name), [TENANT_COLUMN, 'source'], sourceTable, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade').deferrable().initiallyImmediate())
      .addForeignKeyConstraint(constraintName('fkt', name), [TENANT_COLUMN, 'target'], target, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade').deferrable().initiallyImmediate()),
  );
  await exec(trx.schema.createIndex(constraintName('ix', name, 'target')).on(name).columns(['target']));
  // Lists are read in order (source, position) for a page of items at once.
  await exec(trx.schema.createIndex(constraintName('ix', name, 'position')).on(name).columns(['source', 'position']));
}
