// How a field's value reads in a list cell.
import type { Field } from './spec.ts';
import { humanize } from './spec.ts';

export function formatValue(f: Field | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (!f) return String(v);
  switch (f.type) {
    case 'boolean':
      return v ? 'Yes' : 'No';
    case 'datetime': {
      const d = new Date(String(v));
      if (Number.isNaN(d.getTime())) return String(v);
      // The year only when it is not this one, so the cell stays short.
      const year = d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric';
      return d.toLocaleString(undefined, { year, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    }
    case 'date': {
      // A calendar day has no time zone: read it as that day wherever the browser is.
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toLocaleDateString(undefined, { dateStyle: 'medium' }) : String(v);
    }
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
