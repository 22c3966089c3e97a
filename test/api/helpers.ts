// Small helpers shared by the API suites: creating tenants and items, checking problem+json answers
// and counting rows straight from the database.
import assert from 'node:assert/strict';
import type { TestApp } from '../harness.ts';

export type Res = Awaited<ReturnType<TestApp['api']>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Item = Record<string, any>;

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A well-formed id that no item has. */
export const MISSING_ID = '01900000-0000-7000-8000-000000000000';

export const MAGAZINE_TABLES = ['kiln_tenants', 'authors', 'categories', 'tags', 'articles', 'articles__tags'] as const;

export async function createTenant(app: TestApp, slug: string, name = slug.toUpperCase()): Promise<Item> {
  const r = await app.api('/api/tenants', { body: { slug, name } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.data;
}

/** POSTs an item with the root token and returns it; fails the test unless the answer is 201. */
export async function create(app: TestApp, tenant: string, collection: string, body: Record<string, unknown>): Promise<Item> {
  const r = await app.api(`/api/t/${tenant}/${collection}`, { body });
  assert.equal(r.status, 201, `POST ${collection}: ${JSON.stringify(r.body)}`);
  return r.body.data;
}

/** GETs a list and returns its answer; fails the test unless the answer is 200. */
export async function list(app: TestApp, path: string, token?: string | null): Promise<{ data: Item[]; meta: Item }> {
  const r = await app.api(path, { token });
  assert.equal(r.status, 200, `GET ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Asserts an RFC 9457 answer with the given status; when `field` is given, one of `errors` names it.
 * Returns the body for further checks.
 */
export function assertProblem(r: Res, status: number, field?: string): Item {
  const where = JSON.stringify(r.body);
  assert.equal(r.status, status, where);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
  assert.equal(typeof r.body, 'object', where);
  assert.equal(r.body.status, status, where);
  assert.equal(typeof r.body.type, 'string', where);
  assert.equal(typeof r.body.title, 'string', where);
  assert.equal(typeof r.body.detail, 'string', where);
  assert.ok(r.body.detail.length > 0, where);
  if (field !== undefined) {
    assert.ok(Array.isArray(r.body.errors), `no errors list: ${where}`);
    assert.ok(
      r.body.errors.some((e: { field: string; detail: string }) => e.field === field && typeof e.detail === 'string' && e.detail.length > 0),
      `no error names "${field}": ${where}`,
    );
  }
  return r.body;
}

/** Row counts of the given tables, read from the database itself. */
export async function countRows(app: TestApp, tables: readonly string[] = MAGAZINE_TABLES): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await app.store.driver.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

/** One row straight from the database, or undefined. */
export async function dbRow(app: TestApp, table: string, id: string): Promise<Item | undefined> {
  return app.store.driver.db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
}

export const ids = (items: Item[]) => items.map((i) => i.id as string);
