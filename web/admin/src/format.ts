// How a field's value reads in a list cell.
import type { Field } from './spec.ts';
import { humanize } from './spec.ts';

export function formatValue(f: Field | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (!f) return String(v);
  switch (f.type) {
    case 'boolean':
      return v ? 'Yes' : 'No';
    case 'datetime':
      return new Date(String(v)).toLocaleString();
    case 'enum':
      return Array.isArray(v) ? v.map((x) => humanize(String(x))).join(', ') : humanize(String(v));
    case 'json':
      return JSON.stringify(v);
    case 'relation':
      return Array.isArray(v) ? `${v.length} linked` : String(v);
    default:
      return String(v);
  }
}
