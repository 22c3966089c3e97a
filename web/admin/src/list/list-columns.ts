// The columns of a list: the title, the workflow state, the few most telling short fields (to-one
// relations by the related item's title, then dates, flags and choices, numbers, addresses), and the
// time of the last change. The list asks the API for exactly these fields, so long bodies stay home.
import { formatValue } from '../format.ts';
import { fieldLabel, sortable, titleFieldOf, type AppSpec, type Collection, type Field } from '../spec.ts';

export type Column = { name: string; label: string; field: Field; sortable: boolean; title?: boolean };

const UPDATED: Field = { type: 'datetime' };
const EXTRA = 3;

function rank(f: Field): number | undefined {
  switch (f.type) {
    case 'relation':
      return f.many ? undefined : 1;
    case 'date':
    case 'datetime':
      return 2;
    case 'enum':
    case 'boolean':
      return 3;
    case 'integer':
    case 'number':
    case 'decimal':
      return 4;
    case 'email':
    case 'url':
      return 5;
    case 'string':
      return 6;
    default:
      return undefined;
  }
}

export function listColumns(c: Collection, hidden: ReadonlySet<string>): Column[] {
  const title = titleFieldOf(c);
  const col = (name: string, field: Field, extra: Partial<Column> = {}): Column => ({ name, label: fieldLabel(name, field), field, sortable: sortable(field), ...extra });
  const cols: Column[] = [];
  if (title !== 'id' && !hidden.has(title)) cols.push(col(title, c.fields[title], { title: true }));
  const state = c.workflow?.field;
  if (state && !hidden.has(state)) cols.push(col(state, c.fields[state]));
  const candidates = Object.entries(c.fields)
    .map(([name, f], order) => ({ name, f, order, rank: name === title || name === state || hidden.has(name) ? undefined : rank(f) }))
    .filter((x): x is typeof x & { rank: number } => x.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, EXTRA)
    .sort((a, b) => a.order - b.order);
  for (const x of candidates) cols.push(col(x.name, x.f));
  cols.push({ name: 'updatedAt', label: 'Updated', field: UPDATED, sortable: true });
  return cols;
}

/**
 * `fields=` for the list request: the columns, to-one relations by their target's title field. The
 * columns always hold the title and workflow state a caller may see, which bulk actions need too.
 */
export function fieldsParam(cols: Column[], spec: AppSpec, hiddenOf: (collection: string) => ReadonlySet<string>): string {
  const names = new Set(['id']);
  for (const col of cols) {
    if (col.field.type === 'relation' && col.field.to) {
      const t = titleFieldOf(spec.collections[col.field.to]);
      names.add(t === 'id' || hiddenOf(col.field.to).has(t) ? col.name : `${col.name}.${t}`);
    } else names.add(col.name);
  }
  return [...names].join(',');
}

/** What a cell shows: a related item by its title, everything else as format.ts reads it. */
export function cellText(col: Column, value: unknown, spec: AppSpec): string {
  if (col.field.type === 'relation' && value && typeof value === 'object' && !Array.isArray(value)) {
    const target = col.field.to ? spec.collections[col.field.to] : undefined;
    const t = target ? titleFieldOf(target) : 'id';
    const v = value as Record<string, unknown>;
    return typeof v[t] === 'string' && v[t] ? String(v[t]) : String(v.id);
  }
  return formatValue(col.field, value);
}
