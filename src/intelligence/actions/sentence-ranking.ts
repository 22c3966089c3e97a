// Which sentences carry a text, scored the classic extractive way (Luhn, Edmundson): how often its
// content words occur in the whole text (stop words removed, lemmas counted together), where it stands
// (the lead sentence and paragraph openings state the topic), its length (headings and fragments say
// little, very long sentences say too much at once) and, when known, how much it shares with the title.
import type { Sentence } from './english.ts';
import { looksLikeInstruction } from './instruction-like.ts';

export type RankedSentence = Sentence & { score: number; terms: ReadonlySet<string> };

const termsOf = (s: Sentence): Set<string> => new Set(s.words.filter((w) => !w.filler).map((w) => w.lemma));

function lengthFactor(words: number): number {
  if (words < 4) return 0.1;
  if (words < 8) return 0.3 + (words - 4) * 0.15;
  if (words <= 35) return 1;
  return 35 / words;
}

/** Every sentence with its score, in text order. */
export function rankSentences(sentences: readonly Sentence[], title?: readonly string[]): RankedSentence[] {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const w of s.words) if (!w.filler) counts.set(w.lemma, (counts.get(w.lemma) ?? 0) + 1);
  const top = Math.max(1, ...counts.values());
  const titleTerms = new Set(title ?? []);
  const n = sentences.length;
  return sentences.map((s) => {
    const terms = termsOf(s);
    let frequency = 0;
    for (const t of terms) frequency += (counts.get(t) ?? 0) / top;
    const termScore = terms.size ? frequency / Math.sqrt(terms.size) : 0;
    const position = 1 + (s.index === 0 ? 0.5 : 0) + (s.inParagraph === 0 ? 0.15 : 0) + 0.25 * (1 - s.index / Math.max(1, n));
    let overlap = 0;
    if (titleTerms.size) for (const t of titleTerms) if (terms.has(t)) overlap++;
    const titleFactor = titleTerms.size ? 1 + 0.5 * (overlap / titleTerms.size) : 1;
    // Text addressed to a model is never repeated; a question rarely states what the text is about;
    // a line without closing punctuation is a heading or a list item, not a statement.
    const form = looksLikeInstruction(s.text) ? 0 : /\?["”’)]?$/.test(s.text) ? 0.6 : /[.!…]["”’)]?$/.test(s.text) ? 1 : 0.2;
    return { ...s, terms, score: termScore * lengthFactor(s.words.length) * position * titleFactor * form };
  });
}

function similar(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * The best `count` sentences that fit in `maxLength` characters together (joined by spaces), back in
 * text order. A sentence that repeats one already chosen is skipped.
 */
export function pickSentences(ranked: readonly RankedSentence[], count: number, maxLength = Infinity): RankedSentence[] {
  const byScore = [...ranked].filter((s) => s.score > 0).sort((a, b) => b.score - a.score || a.index - b.index);
  const chosen: RankedSentence[] = [];
  let length = -1;
  for (const s of byScore) {
    if (chosen.length >= count) break;
    if (chosen.some((c) => similar(c.terms, s.terms) > 0.6)) continue;
    if (length + 1 + s.text.length > maxLength) continue;
    chosen.push(s);
    length += 1 + s.text.length;
  }
  return chosen.sort((a, b) => a.index - b.index);
}
