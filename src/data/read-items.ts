// Turning rows into API items: decoding columns, loading many-relation ids, and expanding relations
// in batches (one query per relation and level, never one per item).
import { CompiledQuery, type Kysely } from 'kysely';
import type { StorageDriver } from './driver.ts';
import { DataError } from './errors.ts';
import { TENANT_COLUMN, type AppModel, type CollectionModel, type View } from './model.ts';
import type { ExpandTree, FieldSelection } from './query/list-query.ts';

export type Item = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Executor = Kysely<any>;

export type ReadContext = {
  db: Executor;
  driver: StorageDriver;
  model: AppModel;
  tenantId: string;
  /** Throws when the caller may not read the collection an expansion reaches. */
  assertRead: (collection: string) => void;
  /** Which view of a collection this caller reads: drafts for editors, published items for readers. */
  viewOf: (cm: CollectionModel) => View;
  /** With an "own" read rule: the creator id items must carry (null: the caller owns nothing). undefined: no such rule. */
  ownerOf?: (cm: CollectionModel) => string | null | undefined;
  /** Fields of a collection the caller may not see; they are removed from every item read. */
  hiddenOf?: (cm: CollectionModel) => ReadonlySet<string>;
};

export function decodeRow(cm: CollectionModel, row: Record<string, unknown>, driver: StorageDriver): Item {
  const item: Item = { id: row.id };
  for (const fm of cm.columns) {
    const raw = row[fm.name];
    item[fm.name] = raw === null || raw === undefined ? null : fm.decode ? fm.decode(raw) : raw;
  }
  item.createdAt = driver.decodeTimestamp(row.createdAt);
  item.updatedAt = driver.decodeTimestamp(row.updatedAt);
  item.createdBy = row.createdBy ?? null;
  item.updatedBy = row.updatedBy ?? null;
  return item;
}

const wants = (sel: FieldSelection, name: string) => sel === undefined || sel.own.has(name);

// The two queries every read repeats differ only in their table and in how many ids they carry, so
// their SQL is built once per shape and reused; building it was a tenth of a single read's time.
const shapes = new Map<string, string>();

async function byShape(db: Executor, key: string, build: () => { compile(): CompiledQuery }, parameters: unknown[]): Promise<Record<string, unknown>[]> {
  let text = shapes.get(key);
  if (text === undefined) {
    text = build().compile().sql;
    if (shapes.size > 2000) shapes.clear();
    shapes.set(key, text);
  }
  return (await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters))).rows;
}

/** Fills many-relation fields (as id lists) and expansions on decoded items, in place. */
export async function completeItems(ctx: ReadContext, cm: CollectionModel, items: Item[], expand: ExpandTree, sel: FieldSelection): Promise<void> {
  if (items.length === 0) return;
  const ids = items.map((i) => i.id as string);
  const view = ctx.viewOf(cm);
  for (const fm of cm.lists) {
    if (!wants(sel, fm.name) && !expand.has(fm.name)) continue;
    const jt = view.joins.get(fm.name)!;
    const rows = await byShape(
      ctx.db,
      `${ctx.driver.dialect}:links:${jt}:${ids.length}`,
      () => ctx.db.selectFrom(jt).select(['source', 'target']).where(TENANT_COLUMN, '=', ctx.tenantId).where('source', 'in', ids).orderBy('source').orderBy('position'),
      [ctx.tenantId, ...ids],
    );
    const bySource = new Map<string, string[]>();
    for (const r of rows) {
      let l = bySource.get(r.source as string);
      if (!l) bySource.set(r.source as string, (l = []));
      l.push(r.target as string);
    }
    for (const item of items) item[fm.name] = bySource.get(item.id as string) ?? [];
  }
  for (const [name, subtree] of expand) {
    const fm = cm.fields.get(name)!;
    const target = ctx.model.collections.get((fm.field as { to: string }).to)!;
    ctx.assertRead(target.name);
    const wanted = new Set<string>();
    for (const item of items) {
      const v = item[name];
      if (Array.isArray(v)) v.forEach((id) => wanted.add(id as string));
      else if (typeof v === 'string') wanted.add(v);
    }
    const loaded = await loadByIds(ctx, target, [...wanted], subtree, sel?.nested.get(name));
    for (const item of items) {
      const v = item[name];
      if (Array.isArray(v)) item[name] = v.map((id) => loaded.get(id as string)).filter(Boolean);
      else if (typeof v === 'string') item[name] = loaded.get(v) ?? null;
    }
  }
}

const ID_CHUNK = 500;

export async function loadByIds(ctx: ReadContext, cm: CollectionModel, ids: string[], expand: ExpandTree, sel: FieldSelection): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  const items: Item[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    const table = ctx.viewOf(cm).table;
    const owner = ctx.ownerOf?.(cm);
    const rows =
      owner === undefined
        ? await byShape(
            ctx.db,
            `${ctx.driver.dialect}:rows:${table}:${chunk.length}`,
            () => ctx.db.selectFrom(table).selectAll().where(TENANT_COLUMN, '=', ctx.tenantId).where('id', 'in', chunk),
            [ctx.tenantId, ...chunk],
          )
        : owner === null
          ? []
          : await byShape(
              ctx.db,
              `${ctx.driver.dialect}:own-rows:${table}:${chunk.length}`,
              () => ctx.db.selectFrom(table).selectAll().where(TENANT_COLUMN, '=', ctx.tenantId).where('id', 'in', chunk).where('createdBy', '=', owner),
              [ctx.tenantId, ...chunk, owner],
            );
    for (const r of rows) items.push(decodeRow(cm, r, ctx.driver));
  }
  await completeItems(ctx, cm, items, expand, sel);
  const hidden = ctx.hiddenOf?.(cm);
  for (const item of items) out.set(item.id as string, project(conceal(item, hidden), sel));
  return out;
}

/** Removes the fields the caller may not see, in place. */
export function conceal(item: Item, hidden: ReadonlySet<string> | undefined): Item {
  if (hidden) for (const name of hidden) delete item[name];
  return item;
}

/** Keeps the selected fields (id always). Returns the item itself when everything is selected. */
export function project(item: Item, sel: FieldSelection): Item {
  if (sel === undefined) return item;
  const out: Item = { id: item.id };
  for (const name of sel.own) if (name in item) out[name] = item[name];
  return out;
}

export function assertReadable(can: boolean, collection: string): void {
  if (!can) throw new DataError('forbidden', `You may not read "${collection}"`);
}
