// Shared helpers of the migration suites: a seeded magazine database, edited specs, table dumps.
import { fileURLToPath } from 'node:url';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import type { StorageDriver } from '../../src/data/driver.ts';
import { openDriver } from '../../src/data/open-driver.ts';
import { Store, type Scope } from '../../src/data/store.ts';
import { readSeed, seedIfEmpty } from '../../src/data/seed.ts';
import type { Item } from '../../src/data/read-items.ts';
import { exampleSpec, freshDatabase, type DriverName } from '../harness.ts';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SEED_FILE = fileURLToPath(new URL('../../examples/magazine/seed.json', import.meta.url));
export const SPEC_FILE = fileURLToPath(new URL('../../examples/magazine/kiln.json', import.meta.url));
export const TENANTS = ['northwind', 'harbor'] as const;
export const scope = (tenant: string): Scope => ({ tenant, actor: { kind: 'root' } });

export function validSpec(input: unknown): Spec {
  const r = checkSpec(input);
  if (!r.ok) throw new Error(`test spec is invalid: ${JSON.stringify(r.errors, null, 2)}`);
  return r.spec;
}

/**
 * The magazine spec without its workflow: these suites test migration mechanics row by row, and a
 * workflow adds a published copy of some articles to every count (test/api/workflow.test.ts covers
 * migrations of a collection with a workflow).
 */
export function plainMagazine(): Spec {
  const s = structuredClone(exampleSpec('magazine'));
  delete s.collections.articles.workflow;
  // Its AI actions name fields these suites remove and rename.
  delete s.collections.articles.ai;
  return s;
}

/** The magazine spec, edited by `edit` (which gets a deep copy) and checked. */
export function magazineWith(edit: (s: Json) => void): Spec {
  const s = structuredClone(plainMagazine()) as Json;
  edit(s);
  return validSpec(s);
}

/** Renames a collection in a spec the way an author would: renamedFrom, relations and roles follow. */
export function renameCollection(s: Json, from: string, to: string): void {
  s.collections[to] = { ...s.collections[from], renamedFrom: from };
  delete s.collections[from];
  for (const col of Object.values(s.collections) as Json[]) {
    for (const f of Object.values(col.fields) as Json[]) if (f.type === 'relation' && f.to === from) f.to = to;
  }
  for (const role of Object.values(s.roles ?? {}) as Json[]) {
    if (role.can && from in role.can) {
      role.can[to] = role.can[from];
      delete role.can[from];
    }
  }
}

/** Renames a field, marking it with renamedFrom; `extra` overrides options of the renamed field. */
export function renameField(s: Json, collection: string, from: string, to: string, extra: Json = {}): void {
  const fields = s.collections[collection].fields;
  fields[to] = { ...fields[from], ...extra, renamedFrom: from };
  delete fields[from];
}

export type Db = { driver: StorageDriver; store: Store; env: { KILN_DATA_DIR: string; KILN_DATABASE_URL?: string }; close: () => Promise<void> };

/** A fresh database holding the magazine spec (version 1), seeded with examples/magazine/seed.json. */
export async function seededMagazine(d: DriverName, seed = true): Promise<Db> {
  const db = await freshDatabase(d);
  const driver = openDriver({ databaseUrl: db.env.KILN_DATABASE_URL, dataDir: db.env.KILN_DATA_DIR, appName: 'magazine' });
  try {
    const store = await Store.open(driver, plainMagazine());
    if (seed) {
      const n = await seedIfEmpty(store, await readSeed(SEED_FILE));
      if (n === 0) throw new Error('the seed wrote nothing');
    }
    return {
      driver,
      store,
      env: db.env,
      close: async () => {
        await driver.close().catch(() => {});
        await db.drop();
      },
    };
  } catch (e) {
    await driver.close().catch(() => {});
    await db.drop();
    throw e;
  }
}

/** Every item of a collection in one tenant, by id. */
export async function itemsById(store: Store, tenant: string, collection: string, query: Record<string, unknown> = {}): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const r = await store.list(scope(tenant), collection, { limit: '100', ...query, ...(cursor ? { cursor } : {}) });
    for (const item of r.data) out.set(item.id as string, item);
    cursor = r.meta.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/** Items of a collection across both seeded tenants, by id. */
export async function allItems(store: Store, collection: string, query: Record<string, unknown> = {}): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  for (const t of TENANTS) for (const [id, item] of await itemsById(store, t, collection, query)) out.set(id, item);
  return out;
}

const stable = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));

export type Dump = Record<string, { columns: string[]; rows: string[] }>;

/** Every table of the database (Kiln's system tables included): its columns and its rows, sorted. */
export async function dumpDatabase(driver: StorageDriver): Promise<Dump> {
  const tables = await driver.db.introspection.getTables();
  const out: Dump = {};
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const key = t.schema && t.schema !== 'public' ? `${t.schema}.${t.name}` : t.name;
    const rows = await driver.db.selectFrom(key).selectAll().execute();
    out[key] = {
      columns: t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort(),
      rows: rows.map((r) => stable(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort(),
    };
  }
  return out;
}
