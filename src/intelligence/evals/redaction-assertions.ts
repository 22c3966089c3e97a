// Checks on PII redaction: what must leave the process masked, what must stay untouched (dates,
// order numbers, card-like numbers that fail Luhn), and that the original comes back in full.
import { z } from 'zod';
import type { Check, RedactionOutput } from './eval-output.ts';

const ok = (detail: string): Check => ({ pass: true, detail });
const fail = (detail: string): Check => ({ pass: false, detail });

type RedactionCheck = { params: z.ZodType; check: (params: never, out: RedactionOutput) => Check };
function def<P extends z.ZodType>(params: P, check: (p: z.infer<P>, out: RedactionOutput) => Check): RedactionCheck {
  return { params, check: check as RedactionCheck['check'] };
}

/** Digits of a value, so "4111 1111 1111 1111" is also caught as "4111-1111-1111-1111" or unspaced. */
const digits = (s: string) => s.replace(/\D/g, '');

function leaks(redacted: string, value: string): boolean {
  if (redacted.toLowerCase().includes(value.toLowerCase())) return true;
  const d = digits(value);
  // Numbers are also looked for without their separators, but only long ones: a short digit run proves nothing.
  return d.length >= 7 && digits(redacted).includes(d);
}

export const REDACTION_ASSERTIONS: Record<string, RedactionCheck> = {
  redacted: def(z.object({ values: z.array(z.string()).min(1) }), (p, out) => {
    const left = p.values.filter((v) => leaks(out.redacted, v));
    return left.length ? fail(`still in the redacted text: ${left.join(', ')}`) : ok(`${p.values.length} value${p.values.length === 1 ? '' : 's'} masked`);
  }),

  kept: def(z.object({ values: z.array(z.string()).min(1) }), (p, out) => {
    const gone = p.values.filter((v) => !out.redacted.includes(v));
    return gone.length ? fail(`masked although not personal data: ${gone.join(', ')}`) : ok('left untouched');
  }),

  restored: def(z.object({}), (_, out) => (out.restored === out.original ? ok('restored exactly') : fail(`restore gave back "${out.restored.slice(0, 160)}"`))),

  // The redactor itself reported these kinds (email, phone, card, iban), with these counts if given.
  foundKinds: def(z.object({ kinds: z.record(z.string(), z.number().int().nonnegative()) }), (p, out) => {
    const counts = new Map<string, number>();
    for (const f of out.found) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
    const kinds = new Set([...Object.keys(p.kinds), ...counts.keys()]);
    const wrong = [...kinds].filter((k) => (counts.get(k) ?? 0) !== (p.kinds[k] ?? 0));
    const have = [...counts].map(([k, n]) => `${k}×${n}`).join(', ') || 'nothing';
    return wrong.length ? fail(`found ${have}; expected ${Object.entries(p.kinds).map(([k, n]) => `${k}×${n}`).join(', ') || 'nothing'}`) : ok(`found ${have}`);
  }),
};
