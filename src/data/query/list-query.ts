// The query parameters of a list or single read, checked against the spec before any SQL exists:
// an unknown parameter, field or operator is a clear 400, never a silent default.
import { parseSort, type SortKey } from '../../spec/sort.ts';
import { invalidQuery } from '../errors.ts';
import type { AppModel, CollectionModel } from '../model.ts';
import { parseFilter, type Condition } from './filter.ts';
import { searchTerms } from '../search/search-index.ts';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;
const MAX_OFFSET = 100_000;
const MAX_EXPAND_DEPTH = 3;

/** Relation name → what to expand below it. */
export type ExpandTree = Map<string, ExpandTree>;
/** undefined: all fields; otherwise the chosen top-level fields and, per relation, its chosen fields. */
export type FieldSelection = { own: Set<string>; nested: Map<string, FieldSelection> } | undefined;

export type ReadQuery = { expand: ExpandTree; fields: FieldSelection };
export type ListQuery = ReadQuery & {
  filter?: Condition;
  sort: SortKey[];
  limit: number;
  offset: number;
  cursor?: string;
  totalCount: boolean;
  /** Words of a full-text search (`search=`), combined with the filter. */
  search?: string[];
};

const LIST_PARAMS = new Set(['filter', 'search', 'sort', 'limit', 'offset', 'cursor', 'fields', 'expand', 'meta']);
const READ_PARAMS = new Set(['fields', 'expand']);

function single(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidQuery(name, 'must be given once, as a plain value');
  return v;
}

function integer(raw: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = single(raw, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw invalidQuery(name, `must be a whole number from ${min} to ${max}`);
  return Number(v);
}

function unknownParams(raw: Record<string, unknown>, allowed: Set<string>) {
  for (const k of Object.keys(raw)) {
    if (!allowed.has(k)) throw invalidQuery(k, `is not a query parameter here; use ${[...allowed].join(', ')}`);
  }
}

export function parseExpand(raw: string | undefined, cm: CollectionModel, model: AppModel): ExpandTree {
  const tree: ExpandTree = new Map();
  if (!raw) return tree;
  for (const path of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const steps = path.split('.');
    if (steps.length > MAX_EXPAND_DEPTH) throw invalidQuery('expand', `"${path}" is deeper than ${MAX_EXPAND_DEPTH} relations`);
    let node = tree;
    let at = cm;
    for (const step of steps) {
      const fm = at.fields.get(step);
      if (!fm || fm.field.type !== 'relation') throw invalidQuery('expand', `"${step}" is not a relation field of ${at.name}`);
      if (!node.has(step)) node.set(step, new Map());
      node = node.get(step)!;
      at = model.collections.get(fm.field.to)!;
    }
  }
  return tree;
}

export function parseFields(raw: string | undefined, cm: CollectionModel, model: AppModel): FieldSelection {
  if (raw === undefined) return undefined;
  const root: NonNullable<FieldSelection> = { own: new Set(), nested: new Map() };
  const names = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (names.length === 0) throw invalidQuery('fields', 'names no field');
  for (const path of names) {
    const steps = path.split('.');
    let sel = root;
    let at = cm;
    steps.forEach((step, i) => {
      const system = step === 'id' || step === 'createdAt' || step === 'updatedAt' || step === 'createdBy' || step === 'updatedBy';
      const fm = at.fields.get(step);
      if (!system && !fm) throw invalidQuery('fields', `"${step}" is not a field of ${at.name}`);
      sel.own.add(step);
      if (i < steps.length - 1) {
        if (!fm || fm.field.type !== 'relation') throw invalidQuery('fields', `"${step}" is not a relation, so "${path}" cannot select inside it`);
        let next = sel.nested.get(step);
        if (!next) sel.nested.set(step, (next = { own: new Set(), nested: new Map() }));
        sel = next;
        at = model.collections.get(fm.field.to)!;
      }
    });
  }
  return root;
}

/** An expanded relation is always returned, even when `fields` does not name it. */
function withExpanded(sel: FieldSelection, expand: ExpandTree): FieldSelection {
  if (sel === undefined) return undefined;
  for (const [name, sub] of expand) {
    sel.own.add(name);
    const nested = sel.nested.get(name);
    if (nested) withExpanded(nested, sub);
  }
  return sel;
}

/** Selecting inside a relation (`fields=author.name`) expands it. */
function expandSelected(sel: FieldSelection, tree: ExpandTree): ExpandTree {
  if (sel === undefined) return tree;
  for (const [name, nested] of sel.nested) {
    if (!tree.has(name)) tree.set(name, new Map());
    expandSelected(nested, tree.get(name)!);
  }
  return tree;
}

function parseRead(raw: Record<string, unknown>, cm: CollectionModel, model: AppModel): ReadQuery {
  const fields = parseFields(single(raw, 'fields'), cm, model);
  const expand = expandSelected(fields, parseExpand(single(raw, 'expand'), cm, model));
  return { expand, fields: withExpanded(fields, expand) };
}

export function parseReadQuery(raw: Record<string, unknown>, cm: CollectionModel, model: AppModel): ReadQuery {
  unknownParams(raw, READ_PARAMS);
  return parseRead(raw, cm, model);
}

export function parseListQuery(raw: Record<string, unknown>, cm: CollectionModel, model: AppModel): ListQuery {
  unknownParams(raw, LIST_PARAMS);
  const sortText = single(raw, 'sort') ?? cm.spec.defaultSort ?? '-createdAt';
  const sort = parseSort(sortText, cm.spec);
  if (!sort.ok) throw invalidQuery('sort', sort.message);
  const cursor = single(raw, 'cursor');
  const offset = integer(raw, 'offset', 0, MAX_OFFSET) ?? 0;
  if (cursor !== undefined && offset > 0) throw invalidQuery('offset', 'cannot be combined with cursor; follow meta.next_cursor instead');
  const meta = single(raw, 'meta');
  if (meta !== undefined && meta !== 'total_count') throw invalidQuery('meta', 'takes the value total_count');
  const searchText = single(raw, 'search');
  let search: string[] | undefined;
  if (searchText !== undefined) {
    if (![...cm.fields.values()].some((fm) => fm.field.searchable)) throw invalidQuery('search', `${cm.name} has no searchable fields`);
    search = searchTerms(searchText);
    if (search.length === 0) throw invalidQuery('search', 'needs at least one word');
  }
  return {
    search,
    filter: parseFilter(raw.filter, cm, model),
    sort: sort.keys,
    limit: integer(raw, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT,
    offset,
    cursor,
    totalCount: meta === 'total_count',
    ...parseRead(raw, cm, model),
  };
}
