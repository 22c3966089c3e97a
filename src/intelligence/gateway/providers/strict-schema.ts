// OpenAI's strict structured outputs accept only a subset of JSON Schema: every object lists all its
// properties as required and forbids others, and maps (`additionalProperties` as a schema,
// `patternProperties`, `propertyNames`) do not exist. A schema outside it is refused with HTTP 400
// for every request, so such schemas go out with `strict: false`: the gateway validates and repairs
// the answer anyway.

/** Whether OpenAI's strict mode accepts this schema (and every schema inside it). */
export function fitsStrictMode(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(fitsStrictMode);
  if (schema === null || typeof schema !== 'object') return true;
  const s = schema as Record<string, unknown>;
  if ('patternProperties' in s || 'propertyNames' in s) return false;
  const isObject = s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object')) || 'properties' in s;
  if (isObject) {
    if (s.additionalProperties !== false) return false;
    const keys = Object.keys((s.properties ?? {}) as Record<string, unknown>);
    const required = Array.isArray(s.required) ? s.required : [];
    if (!keys.every((k) => required.includes(k))) return false;
  }
  return Object.entries(s).every(([k, v]) => k === 'enum' || k === 'const' || k === 'default' || k === 'examples' || fitsStrictMode(v));
}
