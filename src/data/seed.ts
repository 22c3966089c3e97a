// Seed data for a fresh app, written through the store like any other write. Items name each other
// with local keys ("$key": "ada", "author": "ada"), which become the generated ids.
import { readFile } from 'node:fs/promises';
import type { Actor } from './access.ts';
import type { Store } from './store.ts';
import { SINGLE_TENANT_SLUG } from './store.ts';

export type SeedDoc = {
  tenants: { slug: string; name: string; data: Record<string, Record<string, unknown>[]> }[];
};

const ROOT: Actor = { kind: 'root' };

export async function readSeed(file: string): Promise<SeedDoc> {
  return JSON.parse(await readFile(file, 'utf8')) as SeedDoc;
}

/** Loads the seed when the app holds no content yet; returns how many items it wrote. */
export async function seedIfEmpty(store: Store, seed: SeedDoc): Promise<number> {
  for (const cm of store.model.collections.values()) {
    const row = await store.driver.db.selectFrom(cm.table).select('id').limit(1).executeTakeFirst();
    if (row) return 0;
  }
  let written = 0;
  for (const t of seed.tenants) {
    const slug = store.spec.tenancy === 'single' ? SINGLE_TENANT_SLUG : t.slug;
    if (store.spec.tenancy === 'multi') {
      const existing = await store.listTenants(ROOT);
      if (!existing.some((x) => x.slug === slug)) await store.createTenant(ROOT, { slug, name: t.name });
    }
    const ids = new Map<string, string>();
    // Collections are seeded in the order given; a relation may only name items seeded before it.
    for (const [collection, items] of Object.entries(t.data)) {
      const cm = store.model.collections.get(collection);
      if (!cm) throw new Error(`seed: "${collection}" is not a collection of ${store.spec.name}`);
      for (const raw of items) {
        const { $key, ...fields } = raw as { $key?: string } & Record<string, unknown>;
        for (const [name, fm] of cm.fields) {
          if (fm.field.type !== 'relation' || fields[name] == null) continue;
          const resolve = (k: unknown) => {
            const id = ids.get(`${fm.field.type === 'relation' ? fm.field.to : ''}:${k as string}`);
            if (!id) throw new Error(`seed: ${collection}.${name} names "${k as string}", which is not a seeded ${(fm.field as { to: string }).to} $key`);
            return id;
          };
          fields[name] = Array.isArray(fields[name]) ? (fields[name] as unknown[]).map(resolve) : resolve(fields[name]);
        }
        const item = await store.create({ tenant: slug, actor: ROOT }, collection, fields);
        if ($key) ids.set(`${collection}:${$key}`, item.id as string);
        written++;
      }
    }
  }
  return written;
}
