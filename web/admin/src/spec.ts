// The parts of the app spec the admin UI reads (GET /api/spec), and how it names things.
export type Field = {
  type: 'string' | 'text' | 'richtext' | 'integer' | 'number' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'enum' | 'email' | 'url' | 'slug' | 'json' | 'media' | 'relation';
  label?: string;
  description?: string;
  required?: boolean;
  unique?: boolean;
  searchable?: boolean;
  min?: number | string;
  max?: number | string;
  default?: unknown;
  values?: string[];
  multiple?: boolean;
  from?: string;
  to?: string;
  many?: boolean;
  accept?: string[];
  maxSize?: number;
  scale?: number;
};

export type Transition = { from: string | string[]; to: string; roles: string[] };
export type Workflow = { field: string; publish: string; transitions: Transition[] };

export type Collection = {
  label?: string;
  description?: string;
  fields: Record<string, Field>;
  titleField?: string;
  defaultSort?: string;
  workflow?: Workflow;
  ai?: { actions?: { summarize?: object; seo?: object; suggestTags?: object; translate?: { languages: string[] } } };
};

export type Role = { description?: string; can?: Record<string, string[]> };

export type AppSpec = {
  name: string;
  title?: string;
  tenancy: 'single' | 'multi';
  collections: Record<string, Collection>;
  roles: Record<string, Role>;
  /** auth.mfa: "required" for everyone, or for the listed roles in any tenant. */
  mfa: { policy: 'off' | 'optional' | 'required'; roles?: string[] };
};

/** "readingMinutes" → "Reading minutes"; "in_review" → "In review". */
export function humanize(name: string): string {
  const words = name.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldLabel(name: string, f: Field): string {
  return f.label ?? humanize(name);
}

export function collectionLabel(name: string, c: Collection): string {
  return c.label ?? humanize(name);
}

/** The field that names an item: the spec's titleField, else the first string field, else the id. */
export function titleFieldOf(c: Collection): string {
  if (c.titleField && c.fields[c.titleField]) return c.titleField;
  return Object.keys(c.fields).find((k) => c.fields[k].type === 'string') ?? 'id';
}

export function searchable(c: Collection): boolean {
  return Object.values(c.fields).some((f) => f.searchable);
}

const SORTABLE: ReadonlySet<Field['type']> = new Set(['string', 'integer', 'number', 'decimal', 'boolean', 'date', 'datetime', 'enum', 'email', 'url', 'slug']);

export function sortable(f: Field): boolean {
  return SORTABLE.has(f.type) && !f.multiple;
}

/** Columns of a list: the title, the workflow state, then a few short fields, at most five. */
export function listColumns(c: Collection): string[] {
  const title = titleFieldOf(c);
  const cols = title === 'id' ? [] : [title];
  if (c.workflow && !cols.includes(c.workflow.field)) cols.push(c.workflow.field);
  for (const [name, f] of Object.entries(c.fields)) {
    if (cols.length >= 5) break;
    if (cols.includes(name) || !sortable(f) || f.type === 'slug') continue;
    cols.push(name);
  }
  return cols;
}

export function statesOf(c: Collection): string[] {
  const w = c.workflow;
  return w ? (c.fields[w.field].values ?? []) : [];
}

/** Transitions out of `state` the given roles may take (root may take all). */
export function transitionsFrom(w: Workflow, state: string, roles: readonly string[] | 'all'): Transition[] {
  const seen = new Set<string>();
  return w.transitions.filter((t) => {
    const from = Array.isArray(t.from) ? t.from : [t.from];
    const ok = (from.includes(state) || from.includes('*')) && (t.to !== state || t.to === w.publish) && (roles === 'all' || t.roles.some((r) => roles.includes(r)));
    if (!ok || seen.has(t.to)) return false;
    seen.add(t.to);
    return true;
  });
}
