// Splits "a title, a body, a cover image and a featured flag" into its items. Parentheses and an
// enum after a colon ("a type: full-time, part-time or contract") stay inside their item.
import { tag } from './nlp.ts';

const PAIRED = /\b(start|end|opening|closing|min|max|minimum|maximum|check-in|check-out|arrival|departure|pickup|dropoff|helpful|unhelpful|up|down|regular|sale|first|last|home|away|birth|death)\s+and\s+(start|end|opening|closing|min|max|minimum|maximum|check-in|check-out|arrival|departure|pickup|dropoff|helpful|unhelpful|up|down|regular|sale|first|last|home|away|birth|death)\s+(\w+)/g;

const DETERMINER = /^(?:a|an|the|its|their|his|her|our|my|your|some|any|one|several|many|multiple)$/;

/** Whether the words after "and" in "whether it was paid and notes" start a field of their own rather
 * than finish the yes/no question ("whether it is vegan and organic"). */
function startsField(after: string): boolean {
  const item = after.split(/[,;]/)[0].trim();
  if (/^(?:whether|how|when|what|which|who)\b/.test(item) || DETERMINER.test(item.split(/\s+/)[0] ?? '')) return true;
  const tokens = tag(item);
  // A noun phrase (ending in a noun, no verb) is another field; an adjective finishes the question.
  return tokens.length > 0 && tokens.length <= 4 && ['NOUN', 'PROPN'].includes(tokens.at(-1)!.pos) && !tokens.some((t) => ['VERB', 'AUX', 'ADJ', 'ADP'].includes(t.pos));
}

export function splitList(text: string): string[] {
  let t = text
    // "counts of helpful and unhelpful votes" → two counts.
    // Only when both words qualify the noun after them: "the number of copies and a cover" is two items.
    .replace(/\b(?:counts?|numbers?|totals?)\s+of\s+(\w+)\s+and\s+(\w+)\s+(\w+)/g, (all, a: string, b: string, noun: string) =>
      /s$/.test(a) || DETERMINER.test(b) ? all : `count of ${a} ${noun}, count of ${b} ${noun}`)
    .replace(PAIRED, '$1 $3, $2 $3')
    // "a plus one" is a thing, not "and".
    .replace(/\bas well as\b|\balong with\b|\btogether with\b|(?<!\ba\s)\bplus\b/g, ',');
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  let afterColon = false;
  const push = () => {
    const s = cur.trim().replace(/^(?:and|or|also|then)\s+/, '').trim();
    if (s) items.push(s);
    cur = '';
  };
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ':' && depth === 0) afterColon = true;
    // Examples after "such as" stay with their noun: "a version such as 1.0 or 2.0".
    if (depth === 0 && /^\s(?:such as|e\.g\.|for example|like)\s/.test(t.slice(i)) && /\S/.test(cur)) afterColon = true;
    // ", and several photos" ends the values listed after a colon.
    if (afterColon && depth === 0 && /^,\s*and\s/.test(t.slice(i))) afterColon = false;
    if (depth === 0 && !afterColon) {
      if (ch === ',' || ch === ';') {
        push();
        continue;
      }
      const rest = t.slice(i);
      const m = /^\s(and|or)\s/.exec(rest);
      const quantity = m && m[1] === 'or' && /\b(?:one|zero|two|three)$/.test(cur) && /^\sor\smore\b/.test(rest);
      const inWhether = /\bwhether\b[^,]*$/.test(cur) && !(m && m[1] === 'and' && startsField(rest.slice(m[0].length)));
      if (m && !quantity && !inWhether && !/\bbetween\s+\S+$|\bfrom\s+\S+$/.test(cur)) {
        push();
        i += m[0].length - 1;
        continue;
      }
    }
    cur += ch;
  }
  push();
  t = '';
  return items;
}
