// What a value of each field type is, in the API's canonical form. The spec checker uses this for
// defaults and limits; the data plane uses it for every write and every filter value, so the two
// can never disagree about what fits a field.
import type { Field } from './schema.ts';

export type Checked = { ok: true; value: unknown } | { ok: false; message: string };

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (message: string): Checked => ({ ok: false, message });

export const DEFAULT_MAX_LENGTH: Record<string, number> = {
  string: 255,
  text: 100_000,
  richtext: 1_000_000,
  slug: 200,
  email: 254,
  url: 2048,
  media: 2048,
};

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time with a required offset, so a stored instant is never ambiguous.
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;
export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A file uploaded to this API, as the upload answers it: the path it is served at. Relative, so it
// survives a change of host, and usable as it is in an <img src>; the store checks that it names a
// file of the item's own tenant.
const MEDIA_REF = /^\/api\/t\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\/media\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function parseMediaRef(value: string): { tenant: string; id: string } | undefined {
  const m = MEDIA_REF.exec(value);
  return m ? { tenant: m[1], id: m[2] } : undefined;
}

export function mediaRef(tenant: string, id: string): string {
  return `/api/t/${tenant}/media/${id}`;
}

export function isValidDate(s: string): boolean {
  const m = DATE.exec(s);
  // Years 1 to 9999: what both databases store and ISO 8601 writes without a sign.
  if (!m || m[1] === '0000') return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCDate() === Number(m[3]) && d.getUTCMonth() + 1 === Number(m[2]);
}

export function normalizeDatetime(s: string): string | undefined {
  const m = DATETIME.exec(s);
  // Date would roll 2026-02-30 over into March; a value that names no real time is refused instead.
  if (!m || !isValidDate(s.slice(0, 10))) return undefined;
  const [hh, mm, ss] = [Number(s.slice(11, 13)), Number(s.slice(14, 16)), Number(s.slice(17, 19))];
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(s);
  if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The shortest decimal text that reads back as this number, without exponent notation. */
function plainNumber(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  if (exp >= 0) return `${m[1]}${digits.padEnd(exp + 1, '0').slice(0, exp + 1)}${digits.length > exp + 1 ? `.${digits.slice(exp + 1)}` : ''}`;
  return `${m[1]}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** Normalizes a decimal to its canonical string with exactly `scale` digits, or explains why it does not fit. */
export function normalizeDecimal(input: unknown, precision: number, scale: number): Checked {
  let s: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return bad('must be a finite number');
    s = plainNumber(input);
  } else if (typeof input === 'string') s = input.trim();
  else return bad('must be a decimal number or a string such as "12.50"');
  const m = DECIMAL.exec(s);
  if (!m) return bad('must be a decimal number such as "12.50"');
  const negative = s.startsWith('-');
  const intPart = m[1].replace(/^0+(?=\d)/, '');
  const frac = m[2] ?? '';
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) return bad(`must have at most ${scale} digits after the decimal point`);
  if ((intPart === '0' ? 0 : intPart.length) > precision - scale) return bad(`must have at most ${precision - scale} digits before the decimal point`);
  const fracOut = frac.slice(0, scale).padEnd(scale, '0');
  const zero = /^0*$/.test(intPart + fracOut);
  return ok(`${negative && !zero ? '-' : ''}${intPart}${scale > 0 ? `.${fracOut}` : ''}`);
}

export function decimalToScaled(canonical: string, scale: number): number {
  const [i, f = ''] = canonical.split('.');
  const sign = i.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(i)) * 10 ** scale + Number(f.padEnd(scale, '0') || '0'));
}

export function scaledToDecimal(scaled: number, scale: number): string {
  const negative = scaled < 0;
  const digits = String(Math.abs(scaled)).padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${negative ? '-' : ''}${digits.slice(0, cut)}${scale > 0 ? `.${digits.slice(cut)}` : ''}`;
}

export function compareDecimal(a: string, b: string, scale: number): number {
  return Math.sign(decimalToScaled(a, scale) - decimalToScaled(b, scale));
}

export function decimalShape(field: Field & { type: 'decimal' }): { precision: number; scale: number } {
  return { precision: field.precision ?? 15, scale: field.scale ?? 2 };
}

export function toSlug(s: string, max = 200): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

const MAX_JSON_DEPTH = 64;

/** JSON values nest at most 64 levels and hold no NUL characters, which PostgreSQL cannot store. */
function checkJson(value: unknown): Checked {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return bad('must not contain the NUL character');
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return bad(`must nest at most ${MAX_JSON_DEPTH} levels deep`);
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return bad('must not contain the NUL character');
        stack.push([x, depth + 1]);
      }
    }
  }
  return ok(value);
}

function checkLength(s: string, min: number | undefined, max: number): Checked {
  if (s.includes('\u0000')) return bad('must not contain the NUL character');
  // Length counts characters as a person does (code points), not UTF-16 units.
  const n = s.length < max / 2 ? s.length : [...s].length;
  if (n > max) return bad(`must be at most ${max} characters long`);
  if (min !== undefined && [...s].length < min) return bad(`must be at least ${min} characters long`);
  return ok(s);
}

/**
 * Checks one non-null scalar value against a field (relations: one id) and returns it in canonical form.
 * `strict` refuses strings for numbers and booleans (JSON bodies); filters from a query string pass false.
 */
export function checkValue(field: Field, value: unknown, strict = true): Checked {
  switch (field.type) {
    case 'string':
    case 'text':
    case 'richtext': {
      if (typeof value !== 'string') return bad('must be a string');
      return checkLength(value, field.min, field.max ?? DEFAULT_MAX_LENGTH[field.type]);
    }
    case 'slug': {
      if (typeof value !== 'string') return bad('must be a string');
      if (!SLUG.test(value)) return bad('must be a slug: lowercase letters and digits separated by single hyphens');
      return checkLength(value, field.min, field.max ?? DEFAULT_MAX_LENGTH.slug);
    }
    case 'email': {
      if (typeof value !== 'string') return bad('must be a string');
      if (value.length > DEFAULT_MAX_LENGTH.email || !EMAIL.test(value)) return bad('must be an email address such as name@example.com');
      return ok(value);
    }
    case 'url':
    case 'media': {
      if (typeof value !== 'string') return bad('must be a string');
      if (value.length > DEFAULT_MAX_LENGTH[field.type]) return bad(`must be at most ${DEFAULT_MAX_LENGTH[field.type]} characters long`);
      if (field.type === 'media' && parseMediaRef(value)) return ok(value);
      const wanted = field.type === 'media' ? 'an absolute http or https URL, or the url of an uploaded file (/api/t/{tenant}/media/{id})' : 'an absolute http or https URL';
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return bad(`must be ${wanted}`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad(`must be ${wanted}`);
      return ok(value);
    }
    case 'integer':
    case 'number': {
      let n = value;
      if (!strict && typeof value === 'string' && value.trim() !== '') n = Number(value);
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad(`must be ${field.type === 'integer' ? 'an integer' : 'a number'}`);
      if (field.type === 'integer' && !Number.isSafeInteger(n)) return bad('must be an integer between -(2^53-1) and 2^53-1');
      if (field.min !== undefined && n < field.min) return bad(`must be at least ${field.min}`);
      if (field.max !== undefined && n > field.max) return bad(`must be at most ${field.max}`);
      return ok(n);
    }
    case 'decimal': {
      const { precision, scale } = decimalShape(field);
      const r = normalizeDecimal(value, precision, scale);
      if (!r.ok) return r;
      const v = r.value as string;
      if (field.min !== undefined) {
        const m = normalizeDecimal(field.min, precision, scale);
        if (m.ok && compareDecimal(v, m.value as string, scale) < 0) return bad(`must be at least ${m.value}`);
      }
      if (field.max !== undefined) {
        const m = normalizeDecimal(field.max, precision, scale);
        if (m.ok && compareDecimal(v, m.value as string, scale) > 0) return bad(`must be at most ${m.value}`);
      }
      return r;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return ok(value);
      if (!strict && (value === 'true' || value === '1')) return ok(true);
      if (!strict && (value === 'false' || value === '0')) return ok(false);
      return bad('must be true or false');
    }
    case 'date': {
      if (typeof value !== 'string' || !isValidDate(value)) return bad('must be a date such as 2026-01-31');
      if (field.min !== undefined && value < field.min) return bad(`must be on or after ${field.min}`);
      if (field.max !== undefined && value > field.max) return bad(`must be on or before ${field.max}`);
      return ok(value);
    }
    case 'datetime': {
      const d = typeof value === 'string' ? normalizeDatetime(value) : undefined;
      if (!d) return bad('must be an ISO 8601 date-time with a time zone, such as 2026-01-31T09:30:00Z');
      if (field.min !== undefined && d < (normalizeDatetime(field.min) ?? '')) return bad(`must be at or after ${field.min}`);
      if (field.max !== undefined && d > (normalizeDatetime(field.max) ?? '\uffff')) return bad(`must be at or before ${field.max}`);
      return ok(d);
    }
    case 'enum': {
      if (typeof value !== 'string' || !field.values.includes(value)) return bad(`must be one of: ${field.values.join(', ')}`);
      return ok(value);
    }
    case 'json':
      return checkJson(value);
    case 'relation': {
      if (typeof value !== 'string' || !ID_PATTERN.test(value)) return bad(`must be the id of an item in "${field.to}"`);
      return ok(value);
    }
  }
}

/** Checks a complete, non-null field value: lists for multiple enums and many-relations, scalars otherwise. */
export function checkFieldValue(field: Field, value: unknown): Checked {
  const isList = (field.type === 'enum' && field.multiple) || (field.type === 'relation' && field.many);
  if (!isList) return checkValue(field, value);
  if (!Array.isArray(value)) return bad('must be a list');
  const limit = field.type === 'relation' ? (field.max ?? 1000) : field.values.length;
  if (value.length > limit) return bad(`must have at most ${limit} entries`);
  if (field.type === 'relation' && field.min !== undefined && value.length < field.min) return bad(`must have at least ${field.min} entries`);
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  for (let i = 0; i < value.length; i++) {
    const r = checkValue(field, value[i]);
    if (!r.ok) return bad(`entry ${i} ${r.message}`);
    if (!seen.has(r.value)) out.push(r.value);
    seen.add(r.value);
  }
  return ok(out);
}
