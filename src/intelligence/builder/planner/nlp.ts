// The one place wink-nlp is loaded: sentence splitting and part-of-speech tags for the planner.
// The model is read once, lazily, and needs no network.
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

type Nlp = ReturnType<typeof winkNLP>;
let nlp: Nlp | undefined;
const load = (): Nlp => (nlp ??= winkNLP(model));

export type Token = { text: string; pos: string; lemma: string };

export function sentences(text: string): string[] {
  const n = load();
  return n.readDoc(text).sentences().out().map((s) => s.trim()).filter(Boolean);
}

/** Tokens of a lower-cased clause: lower case keeps sentence-initial plurals from being read as proper nouns. */
export function tag(clause: string): Token[] {
  const n = load();
  const doc = n.readDoc(clause.toLowerCase());
  const words = doc.tokens().out();
  const pos = doc.tokens().out(n.its.pos);
  // The typings omit that lemma takes the model's add-ons; wink passes them at run time.
  const lemma = doc.tokens().out(n.its.lemma as unknown as typeof n.its.normal);
  return words.map((text, i) => ({ text, pos: pos[i], lemma: lemma[i] }));
}
