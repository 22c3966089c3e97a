// PII redaction before text leaves the process: emails, phone numbers, card numbers and IBANs are
// replaced by placeholders ("[EMAIL_1]") and put back into the model's answer afterwards. One
// Redactor lives for one gateway call and is shared by all of its texts, so a value always gets the
// same placeholder and the model can refer to it consistently.
//
// Numbers are only redacted when they are what they look like: cards pass the Luhn check, IBANs
// have their country's length and pass ISO 13616 mod-97, and phone numbers must have a phone's
// shape (a leading "+" or "00", a trunk "0", the North American 3-3-4 grouping, or a dashed local
// 3-4), so dates, prices, decimals, version numbers and order ids stay readable for the model.

export type RedactedKind = 'email' | 'phone' | 'card' | 'iban';

type Detector = { kind: RedactedKind; find: (text: string) => { start: number; end: number }[] };

const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+-]*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

// 13–19 digits, single spaces or dashes between them. The run must be whole: a number that goes on
// (more digits, a decimal part) or starts in the middle of a longer run is not a card.
const CARD = /(?<![\p{L}\p{N}_.,+\-/]|\d[ -])\d(?:[ -]?\d){12,18}(?![\p{L}\p{N}_]|[ -]?\d|[.,]\d)/gu;

// A candidate IBAN: country, check digits, then letters and digits with optional single spaces. It
// may run past the IBAN's end (into the next word); the country's length decides where it stops.
const IBAN_CANDIDATE = /(?<![\p{L}\p{N}_])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/gu;

// Each alternative splits a digit run in one way only (groups are separated by a separator, never
// by position), so a long run of digits costs linear time instead of trying every split.
const PHONE = new RegExp(
  '(?<![\\p{L}\\p{N}_.,+\\-/@#])(?:' +
    [
      // International: "+44 20 7946 0958", "+1 (555) 123-4567", "+44 (0)20 7946 0958", "+4915112345678".
      '\\+\\d{1,15}(?:[ .\\-]?\\(\\d{1,4}\\)[ .\\-]?\\d{1,15})?(?:[ .\\-]\\d{1,15})*',
      // International with the 00 prefix, which needs a separator after the country code: "0044 20 7946 0958".
      // It and the trunk form must not continue a longer number ("…0044 0532 0130 01" of a mistyped IBAN).
      '(?<!\\p{N}[ .\\-/])00[1-9]\\d{0,2}(?:[ .\\-]?\\(\\d{1,4}\\)[ .\\-]?\\d{1,15}|[ .\\-]\\d{1,15})(?:[ .\\-]\\d{1,15})*',
      // North American: "(555) 123-4567", "555-123-4567", "555.123.4567", "1-800-555-0199".
      '(?:1[ .\\-])?(?:\\(\\d{3}\\)[ .\\-]?|\\d{3}[ .\\-])\\d{3}[ .\\-]\\d{4}',
      // National with a trunk 0: "020 7946 0958", "030/1234567", "(030) 1234567", "06-12345678", "0612345678".
      '(?<!\\p{N}[ .\\-/])(?:\\(0\\d{1,5}\\)[ .\\-/]?\\d{2,12}|0[1-9]\\d{0,11})(?:[ .\\-/]\\d{2,12})*',
      // A local number with a dash: "555-0199".
      '\\d{3}-\\d{4}',
    ].join('|') +
    ')(?![\\p{L}\\p{N}_]|[.,\\-/]\\p{N})',
  'gu',
);

/** A date written day-first or month-first with a four-digit year, possibly followed by more digits. */
const DATE_PREFIX = /^\d{1,2}([./-])\d{1,2}\1\d{4}(?!\d)/;

const digitsOf = (s: string) => s.replace(/\D/g, '');

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// IBAN lengths from the SWIFT IBAN registry. A country that is not listed is accepted at any length
// from 15 to 34 that passes mod-97, longest first.
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24,
  ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29,
  PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23,
  ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616: move the first four characters to the end, letters become 10..35, the number mod 97 is 1. */
function ibanChecks(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = (value > 9 ? rest * 100 + value : rest * 10 + value) % 97;
  }
  return rest === 1;
}

function findIbans(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = new RegExp(IBAN_CANDIDATE.source, IBAN_CANDIDATE.flags);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    // End offsets (exclusive) after each alphanumeric character of the candidate.
    const ends: number[] = [];
    for (let i = 0; i < m[0].length; i++) if (m[0][i] !== ' ') ends.push(start + i + 1);
    const country = m[0].slice(0, 2).toUpperCase();
    const lengths = IBAN_LENGTHS[country] ? [IBAN_LENGTHS[country]] : Array.from({ length: 20 }, (_, i) => 34 - i);
    const match = lengths.find((n) => {
      if (n > ends.length) return false;
      const end = ends[n - 1];
      // It must end where a word ends, not in the middle of a group of letters or digits.
      if (/[\p{L}\p{N}_]/u.test(text[end] ?? '')) return false;
      return ibanChecks(text.slice(start, end).replace(/ /g, '').toUpperCase());
    });
    if (match !== undefined) {
      out.push({ start, end: ends[match - 1] });
      re.lastIndex = ends[match - 1];
    } else {
      re.lastIndex = start + 1;
    }
  }
  return out;
}

function findAll(re: RegExp, text: string, accept: (value: string) => boolean): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  // matchAll works on a copy of the regex, so the shared one keeps no lastIndex between calls.
  for (const m of text.matchAll(re)) {
    if (accept(m[0])) out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

function isPhone(value: string): boolean {
  if (DATE_PREFIX.test(value)) return false;
  // A written trunk zero in "+44 (0)20" is not dialled, so it does not count towards the length.
  const n = digitsOf(value.replace('(0)', '')).length;
  // E.164 allows 15 digits; the 00 prefix adds two.
  if (value.startsWith('+')) return n >= 7 && n <= 15;
  if (value.startsWith('00')) return n >= 9 && n <= 17;
  if (value.startsWith('0') || value.startsWith('(0')) return n >= 9 && n <= 12;
  return n >= 7 && n <= 11;
}

// Earlier detectors run first, so the digits of an IBAN or an email are never taken for a phone.
const DETECTORS: readonly Detector[] = [
  { kind: 'email', find: (t) => findAll(EMAIL, t, () => true) },
  { kind: 'iban', find: findIbans },
  { kind: 'card', find: (t) => findAll(CARD, t, (v) => luhn(digitsOf(v))) },
  { kind: 'phone', find: (t) => findAll(PHONE, t, isPhone) },
];

const PLACEHOLDER = /\[(EMAIL|PHONE|CARD|IBAN)_(\d+)\]/g;

export class Redactor {
  // Keyed by the value exactly as written, so restore() gives back the very text that was sent:
  // "4111-1111-…" and "4111 1111 …" get two placeholders.
  readonly #byValue = new Map<string, string>();
  /** placeholder → the value. */
  readonly #originals = new Map<string, string>();
  readonly #found: { kind: RedactedKind; placeholder: string }[] = [];
  readonly #counts: Record<RedactedKind, number> = { email: 0, phone: 0, card: 0, iban: 0 };
  readonly #reserved = new Set<string>();

  redact(text: string): string {
    // A placeholder-like text that is already in the input (and not one of ours) is never issued,
    // so restore() cannot turn a literal "[EMAIL_1]" in someone's content into an address.
    for (const [p] of text.matchAll(PLACEHOLDER)) if (!this.#originals.has(p)) this.#reserved.add(p);
    let out = text;
    for (const d of DETECTORS) {
      let next = '';
      let at = 0;
      for (const { start, end } of d.find(out)) {
        next += out.slice(at, start) + this.#placeholder(d.kind, out.slice(start, end));
        at = end;
      }
      out = next + out.slice(at);
    }
    return out;
  }

  /** Puts the originals back for the placeholders this redactor issued; any other bracketed text stays. */
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (p) => this.#originals.get(p) ?? p);
  }

  /** What was redacted, one entry per distinct value, without the values (safe to log). */
  get found(): readonly { kind: RedactedKind; placeholder: string }[] {
    return this.#found.map((f) => ({ ...f }));
  }

  #placeholder(kind: RedactedKind, value: string): string {
    let p = this.#byValue.get(value);
    if (p === undefined) {
      do {
        this.#counts[kind] += 1;
        p = `[${kind.toUpperCase()}_${this.#counts[kind]}]`;
      } while (this.#reserved.has(p));
      this.#byValue.set(value, p);
      this.#originals.set(p, value);
      this.#found.push({ kind, placeholder: p });
    }
    return p;
  }
}
