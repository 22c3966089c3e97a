// Applying a spec change to a database: the gate (breaking changes need consent, backfills need
// values), then one transaction that creates, rebuilds and drops tables. A rebuilt table is copied
// row by row through the same value checks as an API write, so every row that would not fit is
// reported by id. A dry run does all of it and rolls back.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Field, Spec } from '../../spec/schema.ts';
import { checkFieldValue } from '../../spec/values.ts';
import { diffSpecs, worstClass, type SpecChange } from '../../spec/diff.ts';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { SYSTEM_TABLES, TENANT_COLUMN, buildModel, constraintName, type AppModel, type CollectionModel, type FieldModel, type View } from '../model.ts';
import { decodeRow } from '../read-items.ts';
import { addForeignKeys, addOwnerColumns, createCollections, createIndexes, createJoinTable, createTable, layoutOf, lockSchema, recordVersion, type Exec } from '../schema-sync.ts';
import { convertValue } from './convert.ts';
import { reindex } from '../search/search-docs.ts';
import { appendEvents, type NewEvent } from '../events/event-log.ts';
import { currentVersion } from './history.ts';

export type MigrationOptions = {
  dryRun?: boolean;
  allowBreaking?: boolean;
  /** "collection.field" → value for existing items that need one. */
  backfills?: Map<string, unknown>;
  author?: string;
  /** Refuse (StaleVersionError) unless the database holds this spec version: the one a plan was shown for. */
  expectedVersion?: number;
  onProgress?: (p: { table: string; copied: number; total: number }) => void;
};

export type RowFailure = { collection: string; id?: string; field?: string; message: string };

export type MigrationReport = {
  fromVersion: number;
  toVersion: number | null;
  changes: SpecChange[];
  verdict: 'safe' | 'backfill' | 'breaking';
  /** Why the gate refused the plan; empty when it may run. */
  refused: string[];
  statements: string[];
  rows: { collection: string; copied: number }[];
  failures: RowFailure[];
  applied: boolean;
};

const MAX_FAILURES = 50;
const BATCH = 500;

class Rollback extends Error {}

/** The database holds another spec version than the one the migration was planned against. */
export class StaleVersionError extends Error {
  readonly current: number;
  constructor(current: number, message: string) {
    super(message);
    this.current = current;
  }
}

/** A short unique name for a table under construction, so no index or constraint name ever collides. */
function tempName(version: number, name: string): string {
  return `kiln_m${version}_${createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}

export async function migrate(driver: StorageDriver, target: Spec, options: MigrationOptions = {}): Promise<MigrationReport> {
  const current = await currentVersion(driver);
  if (!current) throw new Error('this database holds no Kiln app yet; `kiln start` creates it from the spec');
  if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
    throw new StaleVersionError(current.version, `the database holds spec version ${current.version}, not ${options.expectedVersion}`);
  }
  const changes = diffSpecs(current.spec, target);
  const report: MigrationReport = {
    fromVersion: current.version,
    toVersion: null,
    changes,
    verdict: worstClass(changes),
    refused: [],
    statements: [],
    rows: [],
    failures: [],
    applied: false,
  };
  if (changes.some((c) => c.kind === 'tenancy.changed')) report.refused.push('Changing tenancy is not something Kiln can migrate: create a new app and copy the content.');
  if (report.verdict === 'breaking' && !options.allowBreaking) {
    report.refused.push(...changes.filter((c) => c.class === 'breaking').map((c) => `${describe(c)}: ${c.reason}`));
  }
  if (report.refused.length || changes.length === 0) return report;

  const before = buildModel(current.spec, driver);
  const after = buildModel(target, driver);
  const run = new Run(driver, before, after, changes, options, report);
  try {
    if (driver.dialect === 'sqlite') await sql`PRAGMA foreign_keys = OFF`.execute(driver.db);
    await driver.db.transaction().execute(async (trx) => {
      await lockSchema(trx, driver);
      const latest = await currentVersion(driver, trx);
      if (latest?.version !== current.version) throw new StaleVersionError(latest?.version ?? 0, 'another migration was applied meanwhile; run again to plan against it');
      // A database from before items recorded their creator gains the columns first, so copies keep them.
      await addOwnerColumns(trx, driver, before);
      await run.execute(trx, current.version + 1);
      if (report.failures.length) throw new Rollback();
      await reindex(trx, driver, after);
      await trx.updateTable(SYSTEM_TABLES.settings).set({ value: JSON.stringify(layoutOf(after, driver)) }).where('key', '=', 'layout').execute();
      report.toVersion = await recordVersion(trx, driver, target, { author: options.author ?? 'kiln migrate', plan: changes });
      if (options.dryRun) throw new Rollback();
    });
    report.applied = true;
  } catch (e) {
    if (!(e instanceof Rollback)) {
      const v = driver.violation(e);
      if (!v) throw e;
      report.failures.push({ collection: '', message: `the database refused the new constraints (${v.kind}${v.constraint ? ` ${v.constraint}` : ''}): ${(e as Error).message}` });
    }
    if (options.dryRun && report.failures.length === 0) report.toVersion = current.version + 1;
  } finally {
    if (driver.dialect === 'sqlite') await sql`PRAGMA foreign_keys = ON`.execute(driver.db);
  }
  return report;
}

export function describe(c: SpecChange): string {
  switch (c.kind) {
    case 'collection.added':
    case 'collection.removed':
      return `${c.kind.split('.')[1]} collection ${c.collection}`;
    case 'collection.renamed':
      return `renamed collection ${c.from} → ${c.collection}`;
    case 'collection.changed':
      return `${c.collection}: ${c.option} changed`;
    case 'field.added':
    case 'field.removed':
      return `${c.kind.split('.')[1]} field ${c.collection}.${c.field}`;
    case 'field.renamed':
      return `renamed field ${c.collection}.${c.from} → ${c.field}`;
    case 'field.type':
      return `${c.collection}.${c.field}: type ${c.before} → ${c.after}`;
    case 'field.option':
      return `${c.collection}.${c.field}: ${c.option} ${JSON.stringify(c.before) ?? 'unset'} → ${JSON.stringify(c.after) ?? 'unset'}`;
    case 'relation.changed':
      return `${c.collection}.${c.field}: relation ${c.before.to}${c.before.many ? '[]' : ''} → ${c.after.to}${c.after.many ? '[]' : ''}`;
    case 'role.added':
    case 'role.removed':
    case 'role.changed':
      return `${c.kind.split('.')[1]} role ${c.role}`;
    case 'tenancy.changed':
      return `tenancy ${c.before} → ${c.after}`;
    case 'section.changed':
      return `${c.section} changed`;
  }
}

// Changes that need no table work: the data stays as it is.
const COSMETIC_OPTIONS = new Set(['label', 'description', 'default', 'searchable', 'from', 'accept', 'maxSize']);

class Run {
  readonly driver: StorageDriver;
  readonly before: AppModel;
  readonly after: AppModel;
  readonly changes: SpecChange[];
  readonly options: MigrationOptions;
  readonly report: MigrationReport;
  /** New collection name → old name, for every collection that existed before. */
  readonly oldName = new Map<string, string>();
  /** New collection → new field → old field name. */
  readonly oldField = new Map<string, Map<string, string>>();
  readonly now = new Date().toISOString();

  constructor(driver: StorageDriver, before: AppModel, after: AppModel, changes: SpecChange[], options: MigrationOptions, report: MigrationReport) {
    this.driver = driver;
    this.before = before;
    this.after = after;
    this.changes = changes;
    this.options = options;
    this.report = report;
    const renamed = new Map(changes.flatMap((c) => (c.kind === 'collection.renamed' ? [[c.collection, c.from] as const] : [])));
    const added = new Set(changes.flatMap((c) => (c.kind === 'collection.added' ? [c.collection] : [])));
    for (const name of after.collections.keys()) {
      if (added.has(name)) continue;
      const old = renamed.get(name) ?? name;
      this.oldName.set(name, old);
      const fieldRenames = new Map(changes.flatMap((c) => (c.kind === 'field.renamed' && c.collection === name ? [[c.field, c.from] as const] : [])));
      const fieldAdds = new Set(changes.flatMap((c) => (c.kind === 'field.added' && c.collection === name ? [c.field] : [])));
      const map = new Map<string, string>();
      for (const f of after.collections.get(name)!.fields.keys()) if (!fieldAdds.has(f)) map.set(f, fieldRenames.get(f) ?? f);
      this.oldField.set(name, map);
    }
  }

  readonly #do: Exec = async (statement) => {
    this.report.statements.push(statement.compile().sql);
    return statement.execute();
  };

  #fail(f: RowFailure): void {
    // An item that fails in its drafts fails the same way in its published copy: name it once.
    if (this.report.failures.some((x) => x.collection === f.collection && x.id === f.id && x.field === f.field && x.message === f.message)) return;
    if (this.report.failures.length < MAX_FAILURES) this.report.failures.push(f);
  }

  /** Collections whose table must be rebuilt: any change beyond presentation, or a relation to a renamed collection. */
  #affected(): Set<string> {
    const out = new Set<string>();
    for (const c of this.changes) {
      if (c.kind === 'collection.renamed' || c.kind === 'field.added' || c.kind === 'field.removed' || c.kind === 'field.renamed' || c.kind === 'field.type' || c.kind === 'relation.changed') out.add(c.collection);
      if (c.kind === 'field.option' && !COSMETIC_OPTIONS.has(c.option)) out.add(c.collection);
      if (c.kind === 'collection.changed' && c.option === 'workflow') out.add(c.collection);
    }
    const renamedTargets = new Set(this.changes.flatMap((c) => (c.kind === 'collection.renamed' ? [c.collection] : [])));
    for (const cm of this.after.collections.values()) {
      if (!this.oldName.has(cm.name)) continue;
      for (const fm of cm.fields.values()) if (fm.field.type === 'relation' && renamedTargets.has(fm.field.to)) out.add(cm.name);
    }
    for (const name of out) if (!this.oldName.has(name)) out.delete(name);
    return out;
  }

  async execute(trx: AnyDB, version: number): Promise<void> {
    const affected = this.#affected();
    const removed = this.changes.flatMap((c) => (c.kind === 'collection.removed' ? [c.collection] : []));
    const replaced = [...affected].map((n) => this.oldName.get(n)!).concat(removed);
    if (this.driver.dialect === 'postgres' && replaced.length) {
      // Writes from other processes to the tables being copied would be lost when they are dropped; they wait instead.
      const tables = replaced.flatMap((n) => {
        const old = this.before.collections.get(n)!;
        return (old.live ? [old.working, old.live] : [old.working]).flatMap((v) => [v.table, ...v.joins.values()]);
      });
      await sql`lock table ${sql.join(tables.map((t) => sql.table(t)))} in access exclusive mode`.execute(trx);
    }
    // Search documents of collections that are gone or renamed go with them; reindexing writes the new ones.
    const renamedAway = [...this.oldName.entries()].filter(([n, o]) => n !== o).map(([, o]) => o);
    await this.driver.search.clear(trx, [...removed, ...renamedAway]);
    const added = [...this.after.collections.values()].filter((cm) => !this.oldName.has(cm.name));
    const pg = this.driver.dialect === 'postgres';
    const temp = new Map<string, string>();

    // 1. Build every rebuilt table (and its join tables) beside the old one, copying and checking each row.
    for (const name of affected) {
      const cm = this.after.collections.get(name)!;
      const t = tempName(version, cm.table);
      temp.set(cm.table, t);
      this.report.statements.push(`-- rebuild ${cm.table}${this.oldName.get(name) !== name ? ` (was ${this.oldName.get(name)})` : ''}`);
      const oldCm = this.before.collections.get(this.oldName.get(name)!)!;
      for (const view of cm.live ? [cm.working, cm.live] : [cm.working]) {
        temp.set(view.table, tempName(version, view.table));
        await createTable(trx, this.driver, cm, this.after, temp.get(view.table)!, this.#do);
        for (const fm of cm.lists) {
          const jt = view.joins.get(fm.name)!;
          temp.set(jt, tempName(version, jt));
          if (pg) await this.#plainJoinTable(trx, temp.get(jt)!);
          else await createJoinTable(trx, this.driver, cm, fm, this.after, temp.get(jt)!, this.#do, view.table);
        }
      }
      await this.#copy(trx, cm, oldCm.working, cm.working, temp);
      // A published view is converted like the drafts; one that is new is filled once the tables are in place.
      if (cm.live && oldCm.live) await this.#copy(trx, cm, oldCm.live, cm.live, temp);
    }
    await this.#checkUniques(trx, affected, temp);

    // 2. Drop what is replaced or removed. PostgreSQL's CASCADE also drops foreign keys that point at
    //    these tables; they are added back in step 4.
    const drop = async (table: string) => this.#do(pg ? trx.schema.dropTable(table).cascade() : trx.schema.dropTable(table));
    for (const name of replaced) {
      const old = this.before.collections.get(name)!;
      for (const view of old.live ? [old.live, old.working] : [old.working]) {
        for (const jt of view.joins.values()) await drop(jt);
        await drop(view.table);
      }
    }

    // 3. Put the rebuilt tables in place and index them.
    for (const name of affected) {
      const cm = this.after.collections.get(name)!;
      for (const view of cm.live ? [cm.working, cm.live] : [cm.working]) {
        await this.#do(trx.schema.alterTable(temp.get(view.table)!).renameTo(view.table));
        for (const jt of view.joins.values()) await this.#do(trx.schema.alterTable(temp.get(jt)!).renameTo(jt));
        await createIndexes(trx, this.driver, cm, this.#do, view.table);
      }
      if (cm.live && !this.before.collections.get(this.oldName.get(name)!)!.live) await this.#publishExisting(trx, cm);
    }
    if (added.length) {
      await createCollections(trx, this.driver, this.after, added, this.#do);
    }

    // 4. Foreign keys: SQLite declared them in CREATE TABLE and checks them all now; PostgreSQL gets
    //    back every key that was dropped or is new.
    if (pg) {
      for (const cm of this.after.collections.values()) {
        if (added.includes(cm)) continue;
        const rebuilt = affected.has(cm.name);
        for (const view of cm.live ? [cm.working, cm.live] : [cm.working]) {
          await addForeignKeys(trx, cm, (fm) => rebuilt || affected.has((fm.field as { to: string }).to), this.#do, view.table);
          for (const fm of cm.lists) {
            const target = (fm.field as { to: string }).to;
            if (rebuilt) await this.#joinKeys(trx, cm, fm, 'both', view);
            else if (affected.has(target)) await this.#joinKeys(trx, cm, fm, 'target', view);
          }
        }
      }
    } else {
      const broken = await sql<{ table: string; rowid: number; parent: string }>`PRAGMA foreign_key_check`.execute(trx);
      for (const b of broken.rows.slice(0, MAX_FAILURES)) this.#fail({ collection: b.table, message: `an item points at a missing ${b.parent} item` });
    }
  }

  async #plainJoinTable(trx: AnyDB, name: string) {
    await this.#do(
      trx.schema
      .createTable(name)
      .addColumn(TENANT_COLUMN, sql.raw(this.driver.idType), (c) => c.notNull())
      .addColumn('source', sql.raw(this.driver.idType), (c) => c.notNull())
      .addColumn('target', sql.raw(this.driver.idType), (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint(constraintName('pk', name), ['source', 'target']),
    );
  }

  async #joinKeys(trx: AnyDB, cm: CollectionModel, fm: FieldModel, which: 'both' | 'target', view: View) {
    const jt = view.joins.get(fm.name)!;
    const target = this.after.collections.get((fm.field as { to: string }).to)!.table;
    const names = { fks: constraintName('fks', jt), fkt: constraintName('fkt', jt) };
    if (which === 'both') {
      await this.#do(trx.schema.alterTable(jt).addForeignKeyConstraint(names.fks, [TENANT_COLUMN, 'source'], view.table, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade').deferrable().initiallyImmediate()));
      await this.#do(trx.schema.createIndex(constraintName('ix', jt, 'target')).on(jt).columns(['target']));
      await this.#do(trx.schema.createIndex(constraintName('ix', jt, 'position')).on(jt).columns(['source', 'position']));
    } else {
      await this.#do(trx.schema.alterTable(jt).dropConstraint(names.fkt).ifExists());
    }
    await this.#do(trx.schema.alterTable(jt).addForeignKeyConstraint(names.fkt, [TENANT_COLUMN, 'target'], target, [TENANT_COLUMN, 'id'], (c) => c.onDelete('cascade').deferrable().initiallyImmediate()));
  }

  #backfill(cm: CollectionModel, fm: FieldModel): { value: unknown } | undefined {
    const key = `${cm.name}.${fm.name}`;
    const f = fm.field;
    if (this.options.backfills?.has(key)) {
      const r = checkFieldValue(f, this.options.backfills.get(key));
      if (!r.ok) {
        this.#fail({ collection: cm.name, field: fm.name, message: `the backfill value ${r.message}` });
        return undefined;
      }
      return { value: r.value };
    }
    if ('default' in f && f.default !== undefined) {
      if (f.type === 'datetime' && f.default === 'now') return { value: this.now };
      // The same canonical form an API write would store ("1.50", not 1.5).
      const r = checkFieldValue(f, f.default);
      return r.ok ? { value: r.value } : undefined;
    }
    return undefined;
  }

  /** Copies one collection's rows (and links) from its old tables into the new ones, converting each value. */
  async #copy(trx: AnyDB, cm: CollectionModel, from: View, to: View, temp: Map<string, string>) {
    const oldCm = this.before.collections.get(this.oldName.get(cm.name)!)!;
    const fieldMap = this.oldField.get(cm.name)!;
    const total = Number((await trx.selectFrom(from.table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
    this.report.statements.push(`-- copy ${total} rows of ${from.table} into ${to.table}, checking each value`);
    const backfills = new Map<string, { value: unknown } | undefined>();
    let copied = 0;
    let after: string | undefined;
    for (;;) {
      let q = trx.selectFrom(from.table).selectAll().orderBy('id').limit(BATCH);
      if (after !== undefined) q = q.where('id', '>', after);
      const rows = await q.execute();
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id as string;
      const ids = rows.map((r) => r.id as string);
      const oldLinks = await this.#links(trx, oldCm, from, ids);
      const out: Record<string, unknown>[] = [];
      const events: NewEvent[] = [];
      const links = new Map<string, Record<string, unknown>[]>();
      for (const row of rows) {
        const item = decodeRow(oldCm, row, this.driver);
        for (const [name, l] of oldLinks) item[name] = l.get(row.id as string) ?? [];
        const next: Record<string, unknown> = { id: row.id, [TENANT_COLUMN]: row[TENANT_COLUMN], createdAt: row.createdAt, updatedAt: row.updatedAt, createdBy: row.createdBy ?? null, updatedBy: row.updatedBy ?? null };
        const state: Record<string, unknown> = { id: row.id };
        let fits = true;
        const rowLinks: [string, Record<string, unknown>][] = [];
        for (const fm of cm.fields.values()) {
          const value = this.#valueFor(cm, fm, oldCm, fieldMap.get(fm.name), item, backfills);
          if (value === undefined) {
            fits = false;
            continue;
          }
          state[fm.name] = value;
          if (fm.joinTable) {
            const jt = temp.get(to.joins.get(fm.name)!)!;
            (value as string[]).forEach((target, position) => rowLinks.push([jt, { [TENANT_COLUMN]: row[TENANT_COLUMN], source: row.id, target, position }]));
          } else next[fm.name] = value === null ? null : fm.encode(value);
        }
        // A row that does not fit is reported, not copied: the migration rolls back at the end anyway.
        if (!fits) continue;
        out.push(next);
        state.createdAt = item.createdAt;
        state.updatedAt = item.updatedAt;
        state.createdBy = item.createdBy;
        state.updatedBy = item.updatedBy;
        // The log records the converted state, so the views can be rebuilt from it under the new spec.
        events.push({ tenantId: row[TENANT_COLUMN] as string, collection: cm.name, itemId: row.id as string, type: to.kind === 'live' ? 'migrate_live' : 'migrate', actor: this.options.author ?? 'kiln migrate', at: this.now, data: state });
        for (const [jt, link] of rowLinks) {
          if (!links.has(jt)) links.set(jt, []);
          links.get(jt)!.push(link);
        }
      }
      if (out.length) await trx.insertInto(temp.get(to.table)!).values(out).execute();
      await appendEvents(trx, this.driver, events);
      for (const [jt, l] of links) for (let i = 0; i < l.length; i += BATCH) await trx.insertInto(jt).values(l.slice(i, i + BATCH)).execute();
      copied += rows.length;
      this.options.onProgress?.({ table: to.table, copied, total });
    }
    this.report.rows.push({ collection: to.kind === 'live' ? `${cm.name} (published)` : cm.name, copied });
  }

  /** A collection that gains a workflow publishes the items already in its publish state. */
  async #publishExisting(trx: AnyDB, cm: CollectionModel) {
    const live = cm.live!;
    const rows = await trx.selectFrom(cm.table).selectAll().where(live.workflow.field, '=', live.workflow.publish).execute();
    this.report.statements.push(`-- publish ${rows.length} ${cm.name} items already in state "${live.workflow.publish}"`);
    const links = await this.#links(trx, cm, cm.working, rows.map((r) => r.id as string));
    const events: NewEvent[] = [];
    for (const row of rows) {
      await trx.insertInto(live.table).values(row).execute();
      const item = decodeRow(cm, row, this.driver);
      for (const fm of cm.lists) {
        const targets = links.get(fm.name)?.get(row.id as string) ?? [];
        item[fm.name] = targets;
        if (targets.length) await trx.insertInto(live.joins.get(fm.name)!).values(targets.map((target, position) => ({ [TENANT_COLUMN]: row[TENANT_COLUMN], source: row.id, target, position }))).execute();
      }
      events.push({ tenantId: row[TENANT_COLUMN] as string, collection: cm.name, itemId: row.id as string, type: 'publish', actor: this.options.author ?? 'kiln migrate', at: this.now, data: item });
    }
    await appendEvents(trx, this.driver, events);
  }

  /** The new canonical value of one field of one item; undefined when the item fails (already reported). */
  #valueFor(cm: CollectionModel, fm: FieldModel, oldCm: CollectionModel, oldName: string | undefined, item: Record<string, unknown>, backfills: Map<string, { value: unknown } | undefined>): unknown {
    const f = fm.field;
    const fail = (message: string) => {
      this.#fail({ collection: cm.name, id: item.id as string, field: fm.name, message });
      return undefined;
    };
    let value: unknown = null;
    if (oldName !== undefined) {
      const oldField = oldCm.fields.get(oldName)!.field;
      const raw = item[oldName] ?? null;
      if (raw !== null && !(Array.isArray(raw) && raw.length === 0)) {
        // A relation that now points at another collection keeps none of its links.
        if (oldField.type === 'relation' && f.type === 'relation' && this.oldName.get(f.to) !== oldField.to) value = null;
        else {
          const r = convertValue(oldField as Field, f, raw);
          if (!r.ok) return fail(r.message);
          value = r.value;
        }
      }
    }
    const empty = value === null || (Array.isArray(value) && value.length === 0);
    if (empty && (f.required || (f.type === 'relation' && f.many && f.min))) {
      const key = `${cm.name}.${fm.name}`;
      if (!backfills.has(key)) backfills.set(key, this.#backfill(cm, fm));
      const b = backfills.get(key);
      if (!b) return fail(`has no value, and the field is now required: give one with --backfill ${key}=VALUE or a default`);
      return b.value;
    }
    return fm.joinTable && value === null ? [] : value;
  }

  async #links(trx: AnyDB, cm: CollectionModel, view: View, ids: string[]): Promise<Map<string, Map<string, string[]>>> {
    const out = new Map<string, Map<string, string[]>>();
    if (ids.length === 0) return out;
    for (const fm of cm.lists) {
      const rows = await trx.selectFrom(view.joins.get(fm.name)!).select(['source', 'target']).where('source', 'in', ids).orderBy('source').orderBy('position').execute();
      const m = new Map<string, string[]>();
      for (const r of rows) {
        if (!m.has(r.source as string)) m.set(r.source as string, []);
        m.get(r.source as string)!.push(r.target as string);
      }
      out.set(fm.name, m);
    }
    return out;
  }

  /** Names the values that would break a unique field, before the database refuses its index. */
  async #checkUniques(trx: AnyDB, affected: Set<string>, temp: Map<string, string>) {
    for (const name of affected) {
      const cm = this.after.collections.get(name)!;
      for (const fm of cm.columns) {
        if (!fm.field.unique) continue;
        const dups = await trx
          .selectFrom(temp.get(cm.working.table)!)
          .select([fm.name, (eb) => eb.fn.countAll().as('n')])
          .where(fm.name, 'is not', null)
          .groupBy([TENANT_COLUMN, fm.name])
          .having((eb) => eb.fn.countAll(), '>', 1)
          .limit(10)
          .execute();
        for (const d of dups) this.#fail({ collection: name, field: fm.name, message: `${Number(d.n)} items share the value ${JSON.stringify(fm.decode ? fm.decode(d[fm.name]) : d[fm.name])}, and the field must be unique` });
      }
    }
  }
}

