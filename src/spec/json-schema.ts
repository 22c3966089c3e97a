// The spec format as JSON Schema, for editors (`"$schema"` in kiln.json) and for model providers
// that constrain output with a response schema.
import { z } from 'zod';
import { specSchema } from './schema.ts';

export function specJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(specSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://kiln.local/schema/kiln-spec-1.json',
    title: 'Kiln app spec, format 1',
  };
}
