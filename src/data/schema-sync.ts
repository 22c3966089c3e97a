// Creates Kiln's system tables and the spec's tables, indexes and constraints on first start, in one
// transaction. A later start with a spec whose tables differ is refused with the differences, since
// changing tables that hold data is the migration gate's job, never a side effect of starting.
import { sql, type Transaction } from 'kysely';
import type { AnyDB, StorageDriver } from './driver.ts';
import { SYSTEM_TABLES, TENANT_COLUMN, constraintName, type AppModel, type CollectionModel } from './model.ts';

type Layout = Record<string, Record<string, string>>;

export class LayoutMismatchError extends Error {
  readonly differences: string[];
  constructor(differences: string[]) {
    super(`the database was created from a different spec:\n  ${differences.join('\n  ')}`);
    this.differences = differences;
  }
}

/** What tables and columns the spec needs on this driver; compared with what the database was created with. */
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
  }
  return layout;
}

function diffLayouts(was: Layout, now: Layout): string[] {
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

export async function ensureSchema(driver: StorageDriver, model: AppModel): Promise<{ created: boolean }> {
  const layout = layoutOf(model, driver);
  return driver.db.transaction().execute(async (trx) => {
    if (driver.dialect === 'postgres') {
      // Several processes may start at once against one database; only one creates the tables.
      await sql`select pg_advisory_xact_lock(7243010001)`.execute(trx);
    }
    await createSystemTables(trx, driver);
    const row = await trx.selectFrom(SYSTEM_TABLES.settings).select('value').where('key', '=', 'layout').executeTakeFirst();
    if (row) {
      const differences = diffLayouts(JSON.parse(row.value as string) as Layout, layout);
      if (differences.length) throw new LayoutMismatchError(differences);
      return { created: false };
    }
    for (const cm of model.collections.values()) await createCollectionTable(trx, driver, cm, model);
    if (driver.dialect === 'postgres') {
      // PostgreSQL checks that a referenced table exists, and relations may form cycles: add them last.
      for (const cm of model.collections.values()) await addPostgresForeignKeys(trx, cm);
    }
    for (const cm of model.collections.values()) await createJoinTables(trx, driver, cm, model);
    await trx.insertInto(SYSTEM_TABLES.settings).values({ key: 'layout', value: JSON.stringify(layout) }).execute();
    return { created: true };
  });
}

async function createSystemTables(trx: Transaction<unknown>, driver: StorageDriver) {
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
}

async function createCollectionTable(trx: Transaction<unknown>, driver: StorageDriver, cm: CollectionModel, model: AppModel) {
  // The builder's column-name typing cannot follow columns named by the spec.
  let t = (trx.schema as AnyDB['schema'])
    .createTable(cm.table)
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn(TENANT_COLUMN, sql.raw(driver.idType), (c) => c.notNull().references(`${SYSTEM_TABLES.tenants}.id`))
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .addColumn('updatedAt', sql.raw(driver.timestampType), (c) => c.notNull());
  for (const fm of cm.columns) {
    t = t.addColumn(fm.name, sql.raw(driver.columnType(fm.field)), (c) => (fm.field.required ? c.notNull() : c));
  }
  // Composite keys let relations reference (tenant, id): the database itself refuses a link across tenants.
  t = t.addUniqueConstraint(constraintName('tid', cm.table), [TENANT_COLUMN, 'id']);
  if (driver.dialect === 'sqlite') {
    for (const fm of cm.columns) {
      if (fm.field.type !== 'relation') continue;
      const target = model.collections.get(fm.field.to)!.table;
      t = t.addForeignKeyConstraint(constraintName('fk', cm.table, fm.name), [TENANT_COLUMN, fm.name] as never[], target, [TENANT_COLUMN, 'id']);
    }
  }
  await t.execute();
  await trx.schema.createIndex(constraintName('ix', cm.table, 'createdAt')).on(cm.table).columns([TENANT_COLUMN, 'createdAt', 'id']).execute();
  for (const fm of cm.columns) {
    const f = fm.field;
    if (f.unique) {
      await trx.schema.createIndex(constraintName('uq', cm.table, fm.name)).unique().on(cm.table).columns([TENANT_COLUMN, fm.name]).execute();
    } else if (f.index || f.type === 'relation') {
      await trx.schema.createIndex(constraintName('ix', cm.table, fm.name)).on(cm.table).columns([TENANT_COLUMN, fm.name]).execute();
    }
  }
}

async function addPostgresForeignKeys(trx: Transaction<unknown>, cm: CollectionModel) {
  for (const fm of cm.columns) {
    if (fm.field.type !== 'relation') continue;
    await trx.schema
      .alterTable(cm.table)
      .addForeignKeyConstraint(constraintName('fk', cm.table, fm.name), [TENANT_COLUMN, fm.name], fm.field.to, [TENANT_COLUMN, 'id'])
      .execute();
  }
}

async function createJoinTables(trx: Transaction<unknown>, driver: StorageDriver, cm: CollectionModel, model: AppModel) {
  for (const fm of cm.lists) {
    const target = model.collections.get((fm.field as { to: string }).to)!.table;
    const jt = fm.joinTable!;
    await trx.schema
      .createTable(jt)
      .addColumn(TENANT_COLUMN, sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('source', sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('target', sql.raw(driver.idType), (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(constraintName('pk', jt), ['source', 'target'])
      .addForeignKeyConstraint(constraintName('fks', jt), [TENANT_COLUMN, 'source'], cm.table, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade'))
      .addForeignKeyConstraint(constraintName('fkt', jt), [TENANT_COLUMN, 'target'], target, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade'))
      .execute();
    await trx.schema.createIndex(constraintName('ix', jt, 'target')).on(jt).columns(['target']).execute();
  }
}
