// Checking a request body against a collection and turning it into column values and link lists.
// Every problem is collected, so one answer names every field that needs fixing.
import { checkFieldValue, toSlug, DEFAULT_MAX_LENGTH } from '../spec/values.ts';
import { SYSTEM_FIELDS } from '../spec/check.ts';
import { DataError, type FieldProblem } from './errors.ts';
import type { CollectionModel } from './model.ts';
import { sanitizeRichtext } from './richtext.ts';

export type WriteValues = {
  /** Canonical values by field, for columns (null allowed). */
  columns: Map<string, unknown>;
  /** Target ids by many-relation field. */
  lists: Map<string, string[]>;
  /** Slug fields still to derive from their source, once uniqueness can be checked. */
  slugsToDerive: Map<string, string>;
};

export function checkBody(cm: CollectionModel, body: unknown, mode: 'create' | 'update', now: string): WriteValues {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DataError('invalid_body', 'The request body must be a JSON object', [{ field: '', detail: 'must be a JSON object of field values' }]);
  }
  const problems: FieldProblem[] = [];
  const columns = new Map<string, unknown>();
  const lists = new Map<string, string[]>();
  const slugsToDerive = new Map<string, string>();
  const input = body as Record<string, unknown>;

  for (const key of Object.keys(input)) {
    if (cm.fields.has(key)) continue;
    if ((SYSTEM_FIELDS as readonly string[]).includes(key)) problems.push({ field: key, detail: `is set by Kiln and cannot be written` });
    else problems.push({ field: key, detail: `is not a field of ${cm.name}; fields are ${[...cm.fields.keys()].join(', ')}` });
  }

  for (const [name, fm] of cm.fields) {
    const f = fm.field;
    let value = Object.hasOwn(input, name) ? input[name] : undefined;
    if (value === undefined) {
      if (mode === 'update') continue;
      if ('default' in f && f.default !== undefined) value = f.type === 'datetime' && f.default === 'now' ? now : structuredClone(f.default);
      else if (f.type === 'slug' && f.from !== undefined) {
        const source = input[f.from] ?? (cm.spec.fields[f.from] as { default?: unknown }).default;
        if (typeof source === 'string' && source.trim() !== '') {
          // A title with no Latin letters or digits ("日本語") still gets a usable slug; uniqueness adds -2, -3.
          slugsToDerive.set(name, toSlug(source, f.max ?? DEFAULT_MAX_LENGTH.slug) || 'item');
          continue;
        }
      }
    }
    if (value === undefined || value === null) {
      if (f.required || (f.type === 'relation' && f.many && f.min)) {
        if (value === null || mode === 'create') problems.push({ field: name, detail: value === null ? 'is required and cannot be null' : 'is required' });
        continue;
      }
      if (mode === 'create' && value === undefined) continue;
      if (fm.joinTable) lists.set(name, []);
      else columns.set(name, null);
      continue;
    }
    // Sanitized before the length check, so the limit holds for what is stored.
    if (f.type === 'richtext' && typeof value === 'string') value = sanitizeRichtext(value);
    const r = checkFieldValue(f, value);
    if (!r.ok) {
      problems.push({ field: name, detail: r.message });
      continue;
    }
    if (fm.joinTable) lists.set(name, r.value as string[]);
    else columns.set(name, r.value);
  }
  if (problems.length) throw new DataError('invalid_body', `The ${cm.name} item has ${problems.length === 1 ? 'an invalid field' : 'invalid fields'}`, problems);
  return { columns, lists, slugsToDerive };
}
