// Which fields a list can be filtered on, with which control, and how each control's values become
// the content API's `filter` rule tree (bracket form: filter[views][_gte]=10). Values from the
// address bar go to the server as they are, so a damaged bookmark gets the server's 400, not a guess.
import type { Collection, Field } from '../spec.ts';
import { fieldLabel } from '../spec.ts';
import { first, type Filters } from './list-state.ts';

export type FilterKind = 'status' | 'enum' | 'contains' | 'boolean' | 'date' | 'datetime' | 'number' | 'relation';
export type FilterDef = { name: string; field: Field; kind: FilterKind; label: string };

function kindOf(name: string, f: Field, c: Collection): FilterKind | undefined {
  if (c.workflow?.field === name) return 'status';
  switch (f.type) {
    case 'enum':
      return f.multiple ? 'contains' : 'enum';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'integer':
    case 'number':
    case 'decimal':
      return 'number';
    case 'relation':
      return 'relation';
    default:
      return undefined;
  }
}

/** The filterable fields of a collection in spec order, the workflow state first. */
export function filterDefs(c: Collection, hidden: ReadonlySet<string>): FilterDef[] {
  const defs: FilterDef[] = [];
  for (const [name, field] of Object.entries(c.fields)) {
    const kind = hidden.has(name) ? undefined : kindOf(name, field, c);
    if (kind) defs.push({ name, field, kind, label: fieldLabel(name, field) });
  }
  return defs.sort((a, b) => Number(b.kind === 'status') - Number(a.kind === 'status'));
}

/** The address-bar keys a filter uses. */
export function keysOf(d: FilterDef): string[] {
  return d.kind === 'date' || d.kind === 'datetime' || d.kind === 'number' ? [`${d.name}.min`, `${d.name}.max`] : [d.name];
}

export function activeCount(defs: FilterDef[], filters: Filters): number {
  return defs.filter((d) => keysOf(d).some((k) => filters[k]?.length)).length;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day in the browser's time zone as the instant it starts (`next`: the instant it ends). */
function dayStart(day: string, next = false): string {
  const m = DAY.exec(day);
  if (!m) return day;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (next ? 1 : 0));
  return Number.isNaN(d.getTime()) ? day : d.toISOString();
}

/** Query parameters of the content API for the active filters. */
export function filterParams(defs: FilterDef[], filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  const at = (name: string, op: string) => `filter[${name}][${op}]`;
  for (const d of defs) {
    const one = first(filters, d.name);
    switch (d.kind) {
      case 'status':
      case 'enum':
        (filters[d.name] ?? []).forEach((v, i) => (out[`${at(d.name, '_in')}[${i}]`] = v));
        break;
      case 'contains':
        if (one) out[at(d.name, '_contains')] = one;
        break;
      case 'boolean':
        if (one) out[at(d.name, '_eq')] = one === 'yes' ? 'true' : one === 'no' ? 'false' : one;
        break;
      case 'relation':
        if (one) out[at(d.name, d.field.many ? '_contains' : '_eq')] = one;
        break;
      case 'date':
      case 'datetime':
      case 'number': {
        const min = first(filters, `${d.name}.min`);
        const max = first(filters, `${d.name}.max`);
        if (d.kind === 'datetime') {
          // A day range on an instant: from the start of the first day to the end of the last.
          if (min) out[at(d.name, '_gte')] = dayStart(min);
          if (max) out[at(d.name, DAY.test(max) ? '_lt' : '_lte')] = dayStart(max, true);
        } else {
          if (min) out[at(d.name, '_gte')] = min;
          if (max) out[at(d.name, '_lte')] = max;
        }
        break;
      }
    }
  }
  return out;
}

/** The filter a problem's `errors[].field` names (`filter.views._gte` → "views"), if any. */
export function filterFieldOf(problemField: string): string | undefined {
  const [head, name] = problemField.split('.');
  return head === 'filter' && name ? name : undefined;
}
