// What a list shows, as it lives in the address bar: `search`, `sort` and one `f.<field>` parameter
// per filter (`f.status=draft&f.status=in_review`, `f.views.min=10`, `f.author=<id>`), so a filtered
// list can be bookmarked and back/forward steps through earlier filters.
export type Filters = Record<string, string[]>;
export type ListState = { search: string; sort?: string; filters: Filters };

const PREFIX = 'f.';

export function readListState(queryString: string): ListState {
  const q = new URLSearchParams(queryString);
  const filters: Filters = {};
  for (const [k, v] of q) {
    if (!k.startsWith(PREFIX) || v === '') continue;
    (filters[k.slice(PREFIX.length)] ??= []).push(v);
  }
  return { search: q.get('search') ?? '', sort: q.get('sort') || undefined, filters };
}

export function writeListState(s: ListState): string {
  const q = new URLSearchParams();
  if (s.search) q.set('search', s.search);
  if (s.sort) q.set('sort', s.sort);
  for (const [k, values] of Object.entries(s.filters)) for (const v of values) if (v !== '') q.append(PREFIX + k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The filters with `key` set to `values` (none: removed). */
export function withFilter(filters: Filters, key: string, values: string[]): Filters {
  const next = { ...filters };
  const kept = values.filter((v) => v !== '');
  if (kept.length) next[key] = kept;
  else delete next[key];
  return next;
}

export function first(filters: Filters, key: string): string {
  return filters[key]?.[0] ?? '';
}
