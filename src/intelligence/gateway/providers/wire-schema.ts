// The response format as both wire formats accept it. OpenAI's `json_schema.name` and Anthropic's tool
// name must match ^[a-zA-Z0-9_-]{1,64}$ (prompt names such as "builder.plan" do not), and both want an
// object at the root (strict structured outputs; a tool's `input_schema`), so other roots are wrapped in
// `{ value }` on the way out and unwrapped on the way back.
import type { JsonResponseFormat } from '../model-provider.ts';

export type WireSchema = {
  name: string;
  schema: Record<string, unknown>;
  /** The model's JSON answer for the wire schema, back in the caller's schema. */
  unwrap(json: unknown): unknown;
};

export function wireSchema(format: JsonResponseFormat): WireSchema {
  const name = format.name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer';
  if (format.schema.type === 'object') return { name, schema: format.schema, unwrap: (json) => json };
  // Definitions move to the new root so `#/$defs/…` references still resolve.
  const { $defs, definitions, ...inner } = format.schema;
  return {
    name,
    schema: {
      type: 'object',
      properties: { value: inner },
      required: ['value'],
      additionalProperties: false,
      ...($defs === undefined ? {} : { $defs }),
      ...(definitions === undefined ? {} : { definitions }),
    },
    unwrap: (json) => (json !== null && typeof json === 'object' && 'value' in json ? json.value : json),
  };
}
