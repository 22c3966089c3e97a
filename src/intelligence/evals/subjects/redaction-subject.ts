// Redaction is judged on the Redactor itself, the step every gateway call's variables pass through:
// what leaves the process, what the redactor says it found, and what comes back on restore.
import { z } from 'zod';
import { Redactor } from '../../gateway/redaction.ts';
import type { RedactionOutput } from '../eval-output.ts';

export const redactionInputSchema = z.object({ text: z.string().min(1) }).strict();

export function runRedaction(input: z.infer<typeof redactionInputSchema>): RedactionOutput {
  const redactor = new Redactor();
  const redacted = redactor.redact(input.text);
  return { kind: 'redaction', original: input.text, redacted, restored: redactor.restore(redacted), found: redactor.found.map((f) => ({ kind: f.kind })) };
}
