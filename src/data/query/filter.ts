// Filters as a rule tree: `{"status":{"_eq":"published"},"author.name":{"_starts_with":"A"}}`, with
// `_and` / `_or` nesting and relation paths. The tree is parsed against the spec into a checked form
// first (every field, operator and value known), then compiled with Kysely: identifiers come only
// from the spec and every value is a bound parameter.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Field } from '../../spec/schema.ts';
import { checkValue } from '../../spec/values.ts';
import type { StorageDriver } from '../driver.ts';
import { invalidQuery } from '../errors.ts';
import { TENANT_COLUMN, type AppModel, type CollectionModel, type FieldModel, type View } from '../model.ts';

export const OPERATORS = ['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_contains', '_starts_with'] as const;
export type Operator = (typeof OPERATORS)[number];

const MAX_DEPTH = 6;
const MAX_CONDITIONS = 50;
const MAX_IN = 100;
const MAX_PATTERN = 500;

type Hop = { fm: FieldModel; target: CollectionModel };
export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'cmp'; hops: Hop[]; column: string; field: Field; fm?: FieldModel; op: Operator; value: unknown };

// The system columns, described as fields so they are checked like any other.
const ID_FIELD = (to: string): Field => ({ type: 'relation', to });
const TIMESTAMP_FIELD: Field = { type: 'datetime', required: true };
const OWNER_FIELD: Field = { type: 'string', max: 500 };
const OWNER_COLUMNS = new Set(['createdBy', 'updatedBy']);

const TEXTUAL = new Set(['string', 'text', 'richtext', 'slug', 'email', 'url', 'media']);
const ORDERED = new Set(['string', 'text', 'slug', 'email', 'url', 'integer', 'number', 'decimal', 'date', 'datetime']);

type Ctx = { model: AppModel; count: number };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses `filter` from either its JSON string form or the bracket form a query-string parser produced. */
export function parseFilter(raw: unknown, cm: CollectionModel, model: AppModel): Condition | undefined {
  if (raw === undefined || raw === '') return undefined;
  let tree = raw;
  if (typeof raw === 'string') {
    try {
      tree = JSON.parse(raw);
    } catch {
      throw invalidQuery('filter', 'is not valid JSON; write it as {"field":{"_eq":"value"}} or filter[field][_eq]=value');
    }
  }
  if (!isObject(tree)) throw invalidQuery('filter', 'must be an object of conditions');
  return parseGroup(tree, cm, { model, count: 0 }, 'filter', 0, []);
}

function parseGroup(node: Record<string, unknown>, cm: CollectionModel, ctx: Ctx, at: string, depth: number, hops: Hop[]): Condition {
  if (depth > MAX_DEPTH) throw invalidQuery(at, `nests deeper than ${MAX_DEPTH} levels`);
  const items: Condition[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = `${at}.${key}`;
    if (key === '_and' || key === '_or') {
      const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : undefined;
      if (!list || list.length === 0 || !list.every(isObject)) throw invalidQuery(here, 'must be a non-empty list of condition objects');
      items.push({ kind: key === '_and' ? 'and' : 'or', items: list.map((n, i) => parseGroup(n, cm, ctx, `${here}.${i}`, depth + 1, hops)) });
      continue;
    }
    if (key.startsWith('_')) throw invalidQuery(here, `is not a known operator here; use a field name, _and or _or`);
    items.push(parsePath(key.split('.'), value, cm, ctx, here, depth, hops));
  }
  if (items.length === 0) throw invalidQuery(at, 'is empty');
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

function parsePath(path: string[], value: unknown, cm: CollectionModel, ctx: Ctx, at: string, depth: number, hops: Hop[]): Condition {
  const [name, ...rest] = path;
  const fm = cm.fields.get(name);
  if (name === 'id' || name === 'createdAt' || name === 'updatedAt' || OWNER_COLUMNS.has(name)) {
    if (rest.length) throw invalidQuery(at, `"${name}" has no fields to follow`);
    return parseOps(value, name === 'id' ? ID_FIELD(cm.name) : OWNER_COLUMNS.has(name) ? OWNER_FIELD : TIMESTAMP_FIELD, name, undefined, ctx, at, hops);
  }
  if (!fm) throw invalidQuery(at, `"${name}" is not a field of ${cm.name}`);
  const field = fm.field;
  if (field.type === 'relation') {
    const target = ctx.model.collections.get(field.to)!;
    const nested = rest.length > 0 || (isObject(value) && Object.keys(value).some((k) => !k.startsWith('_')));
    if (nested) {
      if (hops.length >= 3) throw invalidQuery(at, 'follows more than 3 relations');
      const next = [...hops, { fm, target }];
      if (rest.length) return parsePath(rest, value, target, ctx, at, depth, next);
      return parseGroup(value as Record<string, unknown>, target, ctx, at, depth + 1, next);
    }
  } else if (rest.length) throw invalidQuery(at, `"${name}" is a ${field.type} field and has no fields to follow`);
  return parseOps(value, field, name, fm, ctx, at, hops);
}

function parseOps(value: unknown, field: Field, column: string, fm: FieldModel | undefined, ctx: Ctx, at: string, hops: Hop[]): Condition {
  // A bare value is shorthand for _eq.
  const ops = isObject(value) ? value : { _eq: value };
  const items: Condition[] = [];
  for (const [op, operand] of Object.entries(ops)) {
    const here = `${at}.${op}`;
    if (!(OPERATORS as readonly string[]).includes(op)) throw invalidQuery(here, `is not a known operator; use one of ${OPERATORS.join(' ')}`);
    if (++ctx.count > MAX_CONDITIONS) throw invalidQuery('filter', `has more than ${MAX_CONDITIONS} conditions`);
    items.push({ kind: 'cmp', hops, column, field, fm, op: op as Operator, value: checkOperand(field, op as Operator, operand, here) });
  }
  if (items.length === 0) throw invalidQuery(at, 'names no operator');
  return items.length === 1 ? items[0] : { kind: 'and', items };
}

/** Filter values obey the field's type but not its limits: asking for views > -1 is a fair question. */
function unlimited(field: Field): Field {
  const f = { ...field } as Record<string, unknown>;
  delete f.min;
  delete f.max;
  return f as Field;
}

function checkOperand(field: Field, op: Operator, operand: unknown, at: string): unknown {
  const many = (field.type === 'relation' && field.many === true) || (field.type === 'enum' && field.multiple === true);
  const scalar = (v: unknown) => {
    const r = checkValue(unlimited(field), v, false);
    if (!r.ok) throw invalidQuery(at, r.message);
    return r.value;
  };
  switch (op) {
    case '_null': {
      if (operand === true || operand === 'true') return true;
      if (operand === false || operand === 'false') return false;
      throw invalidQuery(at, 'must be true or false');
    }
    case '_eq':
    case '_neq':
      if (many || field.type === 'json') throw invalidQuery(at, `does not apply to a ${many ? 'list' : 'json'} field; use _contains or _null`);
      return scalar(operand);
    case '_lt':
    case '_lte':
    case '_gt':
    case '_gte':
      if (!ORDERED.has(field.type)) throw invalidQuery(at, `does not apply to a ${field.type} field`);
      return scalar(operand);
    case '_in':
    case '_nin': {
      if (many || field.type === 'json') throw invalidQuery(at, `does not apply to a ${many ? 'list' : 'json'} field; use _contains`);
      const list = Array.isArray(operand) ? operand : typeof operand === 'string' ? operand.split(',') : isObject(operand) ? Object.values(operand) : undefined;
      if (!list || list.length === 0) throw invalidQuery(at, 'must be a non-empty list (a JSON array, or comma-separated)');
      if (list.length > MAX_IN) throw invalidQuery(at, `takes at most ${MAX_IN} values`);
      return list.map(scalar);
    }
    case '_contains':
    case '_starts_with': {
      if (many) {
        if (op === '_starts_with') throw invalidQuery(at, 'does not apply to a list field');
        return scalar(operand);
      }
      if (!TEXTUAL.has(field.type)) throw invalidQuery(at, `applies to text fields, not to a ${field.type} field`);
      if (typeof operand !== 'string' || operand.length === 0) throw invalidQuery(at, 'must be a non-empty string');
      if (operand.includes('\u0000')) throw invalidQuery(at, 'must not contain the NUL character');
      if (operand.length > MAX_PATTERN) throw invalidQuery(at, `must be at most ${MAX_PATTERN} characters long`);
      return operand;
    }
  }
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type EB = ExpressionBuilder<Record<string, Record<string, unknown>>, string>;

export type CompileContext = {
  tenantId: string;
  driver: StorageDriver;
  viewOf: (cm: CollectionModel) => View;
  /** With an "own" read rule on a collection: the creator its items must have (null: none qualify). */
  ownerOf?: (cm: CollectionModel) => string | null | undefined;
};

/** Compiles a checked condition on collection `cm` (rows of its view's table, already tenant-scoped by the caller). */
export function compileFilter(eb: EB, cond: Condition, cm: CollectionModel, ctx: CompileContext): Expression<SqlBool> {
  if (cond.kind !== 'cmp') {
    const parts = cond.items.map((c) => compileFilter(eb, c, cm, ctx));
    return cond.kind === 'and' ? eb.and(parts) : eb.or(parts);
  }
  return compileHops(eb, cond, 0, cm, ctx);
}

function compileHops(eb: EB, cond: Condition & { kind: 'cmp' }, i: number, cm: CollectionModel, ctx: CompileContext): Expression<SqlBool> {
  if (i === cond.hops.length) return compileComparison(eb, cond, cm, ctx);
  const { fm, target } = cond.hops[i];
  const here = ctx.viewOf(cm);
  const there = ctx.viewOf(target).table;
  // Each hop is a subquery on the related collection's view (readers follow relations only into published items), scoped to the same tenant.
  let inner = eb
    .selectFrom(there)
    .select(`${there}.id`)
    .where(`${there}.${TENANT_COLUMN}`, '=', ctx.tenantId)
    .where((sub) => compileHops(sub as unknown as EB, cond, i + 1, target, ctx));
  // A relation is followed only into items the caller may read.
  const owner = ctx.ownerOf?.(target);
  if (owner !== undefined) inner = owner === null ? inner.where(eb.lit(false)) : inner.where(`${there}.createdBy`, '=', owner);
  const jt = here.joins.get(fm.name);
  if (jt) {
    const links = eb.selectFrom(jt).select(`${jt}.source`).where(`${jt}.target`, 'in', inner);
    return eb(`${here.table}.id`, 'in', links);
  }
  return eb(`${here.table}.${fm.name}`, 'in', inner);
}

function compileComparison(eb: EB, cond: Condition & { kind: 'cmp' }, cm: CollectionModel, ctx: CompileContext): Expression<SqlBool> {
  const { field, op, fm } = cond;
  const { driver } = ctx;
  const view = ctx.viewOf(cm);
  const ref = eb.ref(`${view.table}.${cond.column}`);
  const enc = (v: unknown) => (fm ? fm.encode(v) : cond.column === 'id' || OWNER_COLUMNS.has(cond.column) ? v : driver.encodeTimestamp(v as string));
  const jt = fm ? view.joins.get(fm.name) : undefined;
  if (jt) {
    const links = (target?: string) => {
      let q = eb.selectFrom(jt).select(`${jt}.source`);
      if (target !== undefined) q = q.where(`${jt}.target`, '=', target);
      return q;
    };
    if (op === '_null') return cond.value ? eb.not(eb(`${view.table}.id`, 'in', links())) : eb(`${view.table}.id`, 'in', links());
    return eb(`${view.table}.id`, 'in', links(cond.value as string));
  }
  if (field.type === 'enum' && field.multiple) {
    if (op === '_null') return cond.value ? eb.or([eb(ref, 'is', null), eb(ref, '=', '[]')]) : eb.and([eb(ref, 'is not', null), eb(ref, '!=', '[]')]);
    return driver.jsonArrayContains(ref, cond.value as string);
  }
  switch (op) {
    case '_null':
      return eb(ref, cond.value ? 'is' : 'is not', null);
    case '_eq':
      return eb(ref, '=', enc(cond.value));
    case '_neq':
      // "not equal" includes items with no value, as a reader would expect.
      return eb.or([eb(ref, '!=', enc(cond.value)), eb(ref, 'is', null)]);
    case '_lt':
      return eb(ref, '<', enc(cond.value));
    case '_lte':
      return eb(ref, '<=', enc(cond.value));
    case '_gt':
      return eb(ref, '>', enc(cond.value));
    case '_gte':
      return eb(ref, '>=', enc(cond.value));
    case '_in':
      return eb(ref, 'in', (cond.value as unknown[]).map(enc));
    case '_nin':
      return eb.or([eb(ref, 'not in', (cond.value as unknown[]).map(enc)), eb(ref, 'is', null)]);
    case '_contains':
      return driver.likeInsensitive(ref, `%${escapeLike(cond.value as string)}%`);
    case '_starts_with':
      return driver.likeInsensitive(ref, `${escapeLike(cond.value as string)}%`);
  }
}

/** Each field a condition reads, with the collection it belongs to: hidden fields may not be filtered on. */
export function fieldsReached(cond: Condition, cm: CollectionModel, out: { collection: CollectionModel; field: string }[] = []): { collection: CollectionModel; field: string }[] {
  if (cond.kind !== 'cmp') {
    for (const c of cond.items) fieldsReached(c, cm, out);
    return out;
  }
  let at = cm;
  for (const h of cond.hops) {
    out.push({ collection: at, field: h.fm.name });
    at = h.target;
  }
  out.push({ collection: at, field: cond.column });
  return out;
}

/** Every collection a condition reads through its relation paths: the caller must be allowed to read each. */
export function collectionsReached(cond: Condition, out = new Set<string>()): Set<string> {
  if (cond.kind !== 'cmp') for (const c of cond.items) collectionsReached(c, out);
  else for (const h of cond.hops) out.add(h.target.name);
  return out;
}
