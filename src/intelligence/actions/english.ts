// Sentences and words of English prose, from wink-nlp and its English model: sentence boundaries
// that know abbreviations, parts of speech, lemmas (for counting "lanes" and "lane" as one term) and
// Porter stems (for matching tag names). The model loads once, on first use.
import winkNLP, { type ItsFunction } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export type Word = {
  text: string;
  /** Lowercased lemma: "councils" → "council". */
  lemma: string;
  /** Porter stem of the lowercased word: "cities" → "citi". */
  stem: string;
  pos: string;
  /** A stop word, a number, punctuation or a one-letter word: carries no topic. */
  filler: boolean;
};

export type Sentence = {
  text: string;
  /** Paragraph the sentence is in, and its place there (0 = the paragraph's first sentence). */
  paragraph: number;
  inParagraph: number;
  /** Place in the whole text. */
  index: number;
  words: Word[];
};

type Nlp = ReturnType<typeof winkNLP>;
let nlp: Nlp | undefined;
const english = (): Nlp => (nlp ??= winkNLP(model));

const LETTER = /\p{L}/u;

/** The words of a piece of text (punctuation dropped), in order. */
export function wordsOf(text: string): Word[] {
  const n = english();
  const its = n.its;
  const tokens = n.readDoc(text).tokens();
  const out: Word[] = [];
  // The typings of `its.lemma`/`its.stem` (they take model addons) do not match `out`'s parameter type.
  const column = (f: unknown) => tokens.out(f as ItsFunction<string>) as string[];
  const texts = column(its.value);
  const types = column(its.type);
  const lemmas = column(its.lemma);
  const stems = column(its.stem);
  const poses = column(its.pos);
  const stops = tokens.out(its.stopWordFlag) as unknown as boolean[];
  for (let i = 0; i < texts.length; i++) {
    if (types[i] !== 'word' && types[i] !== 'number') continue;
    const t = texts[i];
    const filler = stops[i] || types[i] !== 'word' || !LETTER.test(t) || t.length < 2;
    out.push({ text: t, lemma: lemmas[i].toLowerCase(), stem: stems[i].toLowerCase(), pos: poses[i], filler });
  }
  return out;
}

/** The sentences of the given paragraphs, in order. A paragraph never shares a sentence with another. */
export function sentencesOf(paragraphs: readonly string[]): Sentence[] {
  const n = english();
  const out: Sentence[] = [];
  paragraphs.forEach((p, paragraph) => {
    n.readDoc(p)
      .sentences()
      .out()
      .forEach((text, inParagraph) => {
        const trimmed = text.trim();
        if (trimmed) out.push({ text: trimmed, paragraph, inParagraph, index: out.length, words: wordsOf(trimmed) });
      });
  });
  return out;
}
