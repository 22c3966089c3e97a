// JSON Schemas derived from the spec: request bodies (validated by Fastify before a handler runs),
// items (serialized by fast-json-stringify, which also drops anything not in the schema) and the
// OpenAPI document. The store re-checks what a schema cannot say (relations exist, uniqueness).
import type { Field } from '../spec/schema.ts';
import { DEFAULT_MAX_LENGTH } from '../spec/values.ts';
import type { CollectionModel } from '../data/model.ts';

export type JsonSchema = Record<string, unknown>;

const UUID = { type: 'string', format: 'uuid' } as const;

function valueSchema(f: Field): JsonSchema {
  const d = f.description ? { description: f.description } : {};
  switch (f.type) {
    case 'string':
    case 'text':
    case 'richtext':
      return { type: 'string', maxLength: f.max ?? DEFAULT_MAX_LENGTH[f.type], ...(f.min !== undefined && { minLength: f.min }), ...d };
    case 'slug':
      return { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: f.max ?? DEFAULT_MAX_LENGTH.slug, ...d };
    case 'email':
      return { type: 'string', format: 'email', maxLength: DEFAULT_MAX_LENGTH.email, ...d };
    case 'url':
      return { type: 'string', format: 'uri', maxLength: DEFAULT_MAX_LENGTH[f.type], ...d };
    case 'media':
      // Also the relative url of an uploaded file; the store checks which values are allowed.
      return { type: 'string', format: 'uri-reference', maxLength: DEFAULT_MAX_LENGTH[f.type], ...d };
    case 'integer':
    case 'number':
      return { type: f.type, ...(f.min !== undefined && { minimum: f.min }), ...(f.max !== undefined && { maximum: f.max }), ...d };
    case 'decimal':
      return { type: ['string', 'number'], pattern: '^[+-]?\\d+(\\.\\d+)?$', description: f.description ?? 'Exact decimal; returned as a string such as "12.50".' };
    case 'boolean':
      return { type: 'boolean', ...d };
    case 'date':
      return { type: 'string', format: 'date', ...d };
    case 'datetime':
      return { type: 'string', format: 'date-time', ...d };
    case 'enum':
      return f.multiple ? { type: 'array', items: { type: 'string', enum: f.values }, uniqueItems: true, ...d } : { type: 'string', enum: f.values, ...d };
    case 'json':
      return { ...d };
    case 'relation':
      return f.many
        ? { type: 'array', items: UUID, ...(f.max !== undefined && { maxItems: f.max }), ...(f.min !== undefined && { minItems: f.min }), description: f.description ?? `Ids of ${f.to} items.` }
        : { ...UUID, description: f.description ?? `Id of a ${f.to} item.` };
  }
}

function nullable(s: JsonSchema): JsonSchema {
  if (s.type === undefined) return s;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  return { ...s, type: [...types, 'null'] };
}

function requiredOnCreate(f: Field): boolean {
  if (!f.required) return false;
  if ('default' in f && f.default !== undefined) return false;
  return !(f.type === 'slug' && f.from !== undefined);
}

export function bodySchema(cm: CollectionModel, mode: 'create' | 'update'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, fm] of cm.fields) {
    const s = valueSchema(fm.field);
    properties[name] = fm.field.required ? s : nullable(s);
    if (mode === 'create' && requiredOnCreate(fm.field)) required.push(name);
  }
  return { type: 'object', additionalProperties: false, properties, ...(required.length && { required }) };
}

/** An item as returned: relations may be ids or expanded objects, so they are left untyped for the serializer. */
export function itemSchema(cm: CollectionModel): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: UUID };
  for (const [name, fm] of cm.fields) {
    properties[name] = fm.field.type === 'relation' ? { description: `${fm.field.many ? 'Ids' : 'Id'} of ${fm.field.to}, or the items themselves when expanded.` } : nullable(valueSchema(fm.field));
  }
  properties.createdAt = { type: 'string', format: 'date-time' };
  properties.updatedAt = { type: 'string', format: 'date-time' };
  properties.createdBy = { type: ['string', 'null'], description: 'Who created the item (a user or API key id); null when created by the root token.' };
  properties.updatedBy = { type: ['string', 'null'], description: 'Who last changed the item.' };
  return { type: 'object', properties, required: ['id'] };
}

export const tenantSchema: JsonSchema = {
  type: 'object',
  properties: { id: UUID, slug: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
};

export const tenantBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'name'],
  properties: {
    slug: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$', description: 'URL name of the tenant.' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

export const problemSchema: JsonSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, detail: { type: 'string' } } } },
  },
};
