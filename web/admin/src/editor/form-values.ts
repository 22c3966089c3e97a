// Between API values and what the form's controls hold: strings for inputs, booleans for checkboxes,
// picked items (id and label) for relations. Converting back checks what a control cannot, such as
// JSON syntax, and says which field is wrong.
import type { Field } from '../spec.ts';

export type Picked = { id: string; label: string };
export type FormValue = string | boolean | string[] | Picked | Picked[] | null;

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as the browser's datetime-local value, in the browser's time zone. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function labelOf(v: Record<string, unknown>, titleField: string): string {
  const t = v[titleField];
  return typeof t === 'string' && t ? t : String(v.id);
}

export function toForm(f: Field, v: unknown, titleOf: (collection: string) => string): FormValue {
  switch (f.type) {
    case 'boolean':
      return Boolean(v);
    case 'relation': {
      const title = titleOf(f.to ?? '');
      const pick = (x: unknown): Picked => (x && typeof x === 'object' ? { id: String((x as { id: unknown }).id), label: labelOf(x as Record<string, unknown>, title) } : { id: String(x), label: String(x) });
      if (f.many) return Array.isArray(v) ? v.map(pick) : [];
      return v === null || v === undefined ? null : pick(v);
    }
    case 'enum':
      if (f.multiple) return Array.isArray(v) ? v.map(String) : [];
      return v === null || v === undefined ? '' : String(v);
    case 'json':
      return v === null || v === undefined ? '' : JSON.stringify(v, null, 2);
    case 'datetime':
      return typeof v === 'string' ? toLocalInput(v) : '';
    default:
      return v === null || v === undefined ? '' : String(v);
  }
}

export class FormProblem extends Error {}

/** The API value of a control's value; throws FormProblem with what is wrong. */
export function fromForm(f: Field, v: FormValue): unknown {
  switch (f.type) {
    case 'boolean':
      return Boolean(v);
    case 'relation':
      if (f.many) return ((v as Picked[] | null) ?? []).map((p) => p.id);
      return v ? (v as Picked).id : null;
    case 'enum':
      if (f.multiple) return v;
      return v === '' ? null : v;
    case 'integer':
    case 'number': {
      const s = String(v ?? '').trim();
      if (s === '') return null;
      const n = Number(s);
      if (!Number.isFinite(n)) throw new FormProblem('must be a number');
      if (f.type === 'integer' && !Number.isInteger(n)) throw new FormProblem('must be a whole number');
      return n;
    }
    case 'decimal': {
      const s = String(v ?? '').trim();
      if (s === '') return null;
      if (!/^-?\d+(\.\d+)?$/.test(s)) throw new FormProblem('must be a number such as 12.50');
      return s;
    }
    case 'json': {
      const s = String(v ?? '').trim();
      if (s === '') return null;
      try {
        return JSON.parse(s);
      } catch (e) {
        throw new FormProblem(`is not valid JSON: ${(e as Error).message}`);
      }
    }
    case 'datetime': {
      const s = String(v ?? '');
      if (s === '') return null;
      const d = new Date(s);
      if (Number.isNaN(d.getTime())) throw new FormProblem('must be a date and time');
      return d.toISOString();
    }
    default: {
      const s = String(v ?? '');
      return s === '' ? null : s;
    }
  }
}

/** Whether two API values are the same (for sending only what changed). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
