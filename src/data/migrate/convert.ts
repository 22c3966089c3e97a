// Converting a stored value when its field's type changes. The result is then checked against the
// new field like any write, so a value that does not fit fails the migration with its row named.
import type { Field } from '../../spec/schema.ts';
import { checkFieldValue, type Checked } from '../../spec/values.ts';
import { sanitizeRichtext } from '../richtext.ts';

const isList = (f: Field) => (f.type === 'enum' && f.multiple === true) || (f.type === 'relation' && f.many === true);

function toText(v: unknown): unknown {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function reshape(before: Field, after: Field, v: unknown): unknown {
  if (after.type === 'json') return v;
  if (isList(before) && !isList(after)) {
    if (!Array.isArray(v) || v.length > 1) return { invalid: `holds ${Array.isArray(v) ? v.length : 'several'} values where one is allowed` };
    v = v[0] ?? null;
    if (v === null) return null;
  } else if (!isList(before) && isList(after)) {
    return [v];
  }
  switch (after.type) {
    case 'richtext': {
      // Text that becomes richtext is read as HTML from now on, so it gets the same allowlist as a write.
      const t = toText(v);
      return typeof t === 'string' ? sanitizeRichtext(t) : t;
    }
    case 'string':
    case 'text':
    case 'email':
    case 'url':
    case 'slug':
    case 'media':
    case 'enum':
      return toText(v);
    case 'integer':
    case 'number':
      return typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : v;
    case 'decimal':
      return typeof v === 'number' || typeof v === 'string' ? v : toText(v);
    case 'boolean':
      if (v === 'true' || v === 1 || v === '1') return true;
      if (v === 'false' || v === 0 || v === '0') return false;
      return v;
    case 'date':
      return typeof v === 'string' && before.type === 'datetime' ? v.slice(0, 10) : v;
    case 'datetime':
      return typeof v === 'string' && before.type === 'date' ? `${v}T00:00:00.000Z` : v;
    default:
      return v;
  }
}

/** Converts a non-null canonical value of `before` into one of `after`, or says why it cannot. */
export function convertValue(before: Field, after: Field, value: unknown): Checked {
  const v = before.type === after.type && isList(before) === isList(after) ? value : reshape(before, after, value);
  if (v === null) return { ok: true, value: null };
  if (typeof v === 'object' && v !== null && 'invalid' in v && !Array.isArray(v) && after.type !== 'json') return { ok: false, message: (v as { invalid: string }).invalid };
  return checkFieldValue(after, v);
}
