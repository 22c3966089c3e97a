// Sort expressions ("-publishedAt,title") checked against a collection: used by the spec checker for
// `defaultSort` and by the data plane for `?sort=`.
import type { Collection, Field } from './schema.ts';

export type SortKey = { field: string; desc: boolean };
export type SortParse = { ok: true; keys: SortKey[] } | { ok: false; message: string };

export const SYSTEM_SORTABLE = ['id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy'] as const;
export const MAX_SORT_KEYS = 5;

export function isSortable(field: Field): boolean {
  if (field.type === 'json') return false;
  if (field.type === 'relation' && field.many) return false;
  if (field.type === 'enum' && field.multiple) return false;
  return true;
}

export function parseSort(input: string, collection: Collection): SortParse {
  const parts = input.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: false, message: 'sort names no field' };
  if (parts.length > MAX_SORT_KEYS) return { ok: false, message: `sort takes at most ${MAX_SORT_KEYS} fields` };
  const keys: SortKey[] = [];
  for (const part of parts) {
    const desc = part.startsWith('-');
    const name = desc || part.startsWith('+') ? part.slice(1) : part;
    const field = Object.hasOwn(collection.fields, name) ? collection.fields[name] : undefined;
    if (!(SYSTEM_SORTABLE as readonly string[]).includes(name) && !field) {
      return { ok: false, message: `cannot sort by "${name}": it is not a field of this collection` };
    }
    if (field && !isSortable(field)) return { ok: false, message: `cannot sort by "${name}": ${field.type} fields with several values are not sortable` };
    if (keys.some((k) => k.field === name)) return { ok: false, message: `sort names "${name}" twice` };
    keys.push({ field: name, desc });
  }
  return { ok: true, keys };
}
