// How the spec maps onto tables, worked out once at start so no request repeats it. Identifiers
// in SQL come only from here, and everything here comes from a validated spec.
import { createHash } from 'node:crypto';
import type { Collection, Field, RelationField, Spec, Workflow } from '../spec/schema.ts';
import type { StorageDriver } from './driver.ts';

export const TENANT_COLUMN = '_tenant';
export const SYSTEM_TABLES = { tenants: 'kiln_tenants', settings: 'kiln_settings', specVersions: 'kiln_spec_versions', events: 'kiln_events', media: 'kiln_media', schedules: 'kiln_schedules' } as const;

export type FieldModel = {
  name: string;
  field: Field;
  /** many-relation: stored in a join table, not a column. */
  joinTable?: string;
  encode: (v: unknown) => unknown;
  decode?: (raw: unknown) => unknown;
};

/** The tables one view of a collection lives in: its rows, and a join table per many-relation. */
export type View = { kind: 'working' | 'live'; table: string; joins: Map<string, string> };

export type CollectionModel = {
  name: string;
  table: string;
  /** Every item's current (working) state: what editors see and write. */
  working: View;
  /** With a workflow: the last published state of each published item, which readers see. */
  live?: View & { workflow: Workflow };
  spec: Collection;
  fields: Map<string, FieldModel>;
  /** Fields stored as columns, in spec order. */
  columns: FieldModel[];
  /** many-relations, each with its join table. */
  lists: FieldModel[];
  /** Column relations elsewhere that point here: deleting an item they reference is refused. */
  referencedBy: { collection: string; field: string }[];
  /** Many-relations elsewhere that point here: deleting an item removes it from their lists. */
  listedBy: { collection: string; field: string }[];
};

export type AppModel = { spec: Spec; collections: Map<string, CollectionModel> };

export function joinTableName(collection: string, field: string): string {
  return `${collection}__${field}`;
}

/** Three underscores: a join table's field part starts with a letter, so no join table can take this name. */
export function liveTableName(collection: string): string {
  return `${collection}___live`;
}

export function liveJoinTableName(collection: string, field: string): string {
  return `kiln_lj_${createHash('sha256').update(`${collection}.${field}`).digest('hex').slice(0, 16)}`;
}

/** PostgreSQL truncates names at 63 bytes; a short hash keeps generated constraint names unique and stable. */
export function constraintName(prefix: string, ...parts: string[]): string {
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);
  return `${prefix}_${parts.join('_').slice(0, 40)}_${hash}`;
}

export function isManyRelation(field: Field): field is RelationField & { many: true } {
  return field.type === 'relation' && field.many === true;
}

export function buildModel(spec: Spec, driver: StorageDriver): AppModel {
  const collections = new Map<string, CollectionModel>();
  for (const [name, col] of Object.entries(spec.collections)) {
    const fields = new Map<string, FieldModel>();
    const columns: FieldModel[] = [];
    const lists: FieldModel[] = [];
    for (const [fname, field] of Object.entries(col.fields)) {
      const fm: FieldModel = {
        name: fname,
        field,
        encode: (v) => driver.encode(field, v),
        decode: driver.decoder(field),
      };
      if (isManyRelation(field)) {
        fm.joinTable = joinTableName(name, fname);
        lists.push(fm);
      } else columns.push(fm);
      fields.set(fname, fm);
    }
    const working: View = { kind: 'working', table: name, joins: new Map(lists.map((fm) => [fm.name, fm.joinTable!])) };
    const live = col.workflow
      ? { kind: 'live' as const, table: liveTableName(name), joins: new Map(lists.map((fm) => [fm.name, liveJoinTableName(name, fm.name)])), workflow: col.workflow }
      : undefined;
    collections.set(name, { name, table: name, working, live, spec: col, fields, columns, lists, referencedBy: [], listedBy: [] });
  }
  for (const cm of collections.values()) {
    for (const fm of cm.columns) {
      if (fm.field.type === 'relation') collections.get(fm.field.to)!.referencedBy.push({ collection: cm.name, field: fm.name });
    }
    for (const fm of cm.lists) collections.get((fm.field as { to: string }).to)!.listedBy.push({ collection: cm.name, field: fm.name });
  }
  return { spec, collections };
}
