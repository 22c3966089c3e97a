// Keyset pagination. A cursor carries the sort values of the last item returned (id breaks ties),
// so the next page is one indexed range scan however deep the client goes. Nulls sort first going
// up and last going down, on both drivers, and the predicate below treats them the same way.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Field } from '../../spec/schema.ts';
import type { SortKey } from '../../spec/sort.ts';
import { checkValue } from '../../spec/values.ts';
import type { StorageDriver } from '../driver.ts';
import { invalidQuery } from '../errors.ts';
import type { CollectionModel } from '../model.ts';

type EB = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;

/** The sort keys with id appended as the final tie-breaker. */
export function keysWithId(sort: SortKey[]): SortKey[] {
  return sort.some((k) => k.field === 'id') ? sort : [...sort, { field: 'id', desc: sort.at(-1)?.desc ?? false }];
}

const signature = (keys: SortKey[]) => keys.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(',');

export function encodeCursor(keys: SortKey[], item: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ s: signature(keys), v: keys.map((k) => item[k.field] ?? null) })).toString('base64url');
}

function fieldOf(cm: CollectionModel, name: string): Field {
  if (name === 'id') return { type: 'relation', to: cm.name };
  if (name === 'createdAt' || name === 'updatedAt') return { type: 'datetime' };
  if (name === 'createdBy' || name === 'updatedBy') return { type: 'string' };
  return cm.fields.get(name)!.field;
}

export function decodeCursor(cursor: string, keys: SortKey[], cm: CollectionModel): unknown[] {
  let parsed: { s?: unknown; v?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidQuery('cursor', 'is not a cursor this API returned; use meta.next_cursor as given');
  }
  if (parsed?.s !== signature(keys) || !Array.isArray(parsed.v) || parsed.v.length !== keys.length) {
    throw invalidQuery('cursor', 'belongs to a different sort; repeat the same sort as the request that returned it');
  }
  return parsed.v.map((v, i) => {
    if (v === null) return null;
    const r = checkValue(fieldOf(cm, keys[i].field), v);
    if (!r.ok) throw invalidQuery('cursor', 'is damaged; use meta.next_cursor as given');
    return r.value;
  });
}

/** Rows strictly after the cursor position in the given order. `values` are canonical; `encode` maps them to columns. */
export function afterCursor(eb: EB, table: string, keys: SortKey[], values: unknown[], encode: (field: string, v: unknown) => unknown): Expression<SqlBool> {
  const ref = (k: SortKey) => eb.ref(`${table}.${k.field}`);
  const eq = (k: SortKey, v: unknown) => (v === null ? eb(ref(k), 'is', null) : eb(ref(k), '=', encode(k.field, v)));
  const after = (k: SortKey, v: unknown): Expression<SqlBool> => {
    if (!k.desc) return v === null ? eb(ref(k), 'is not', null) : eb(ref(k), '>', encode(k.field, v));
    return v === null ? eb.lit(false) : eb.or([eb(ref(k), '<', encode(k.field, v)), eb(ref(k), 'is', null)]);
  };
  const branches = keys.map((k, i) => eb.and([...keys.slice(0, i).map((p, j) => eq(p, values[j])), after(k, values[i])]));
  return eb.or(branches);
}

export function sortColumnEncoder(cm: CollectionModel, driver: StorageDriver): (field: string, v: unknown) => unknown {
  return (field, v) => {
    if (field === 'id' || field === 'createdBy' || field === 'updatedBy') return v;
    if (field === 'createdAt' || field === 'updatedAt') return driver.encodeTimestamp(v as string);
    return cm.fields.get(field)!.encode(v);
  };
}
