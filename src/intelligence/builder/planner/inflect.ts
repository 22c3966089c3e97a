// English number and identifier shapes for names the planner makes: collections are plural
// camelCase ("articles"), to-one relations singular ("author").
const IRREGULAR_PLURAL: Record<string, string> = {
  // "persons", not "people": the singular stays recoverable by a plain "s" rule, as other tools expect.
  person: 'persons',
  child: 'children',
  man: 'men',
  woman: 'women',
  status: 'statuses',
  news: 'news',
  series: 'series',
  media: 'media',
  data: 'data',
  software: 'software',
  staff: 'staff',
  equipment: 'equipment',
  information: 'information',
  feedback: 'feedback',
  quiz: 'quizzes',
};
const IRREGULAR_SINGULAR: Record<string, string> = Object.fromEntries([
  ...Object.entries(IRREGULAR_PLURAL).map(([s, p]) => [p, s]),
  ['people', 'person'],
  ['buses', 'bus'],
  ['campuses', 'campus'],
  ['bonuses', 'bonus'],
  ['viruses', 'virus'],
  ['analyses', 'analysis'],
  ['quizzes', 'quiz'],
  ['indices', 'index'],
  ['movies', 'movie'],
  ['cookies', 'cookie'],
  ['pies', 'pie'],
  ['lives', 'life'],
  ['wives', 'wife'],
  ['knives', 'knife'],
  ['leaves', 'leaf'],
  ['shelves', 'shelf'],
]);
const UNCOUNTED = /(ss|us|is)$/;
// Fields of study and other -ics words with no singular; other -ics words are plurals ("mechanics", "lyrics").
const MASS_ICS = new Set(['physics', 'mathematics', 'maths', 'economics', 'ethics', 'politics', 'athletics', 'analytics', 'statistics', 'linguistics', 'electronics', 'logistics', 'gymnastics', 'aerobics', 'acoustics', 'genetics', 'robotics', 'graphics', 'metrics', 'optics', 'aesthetics', 'ergonomics', 'dynamics', 'semantics', 'phonetics', 'classics', 'electrics', 'basics', 'specifics', 'esports']);

export function singular(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR_SINGULAR[w]) return IRREGULAR_SINGULAR[w];
  if (IRREGULAR_PLURAL[w] === w) return w;
  if (UNCOUNTED.test(w) || MASS_ICS.has(w) || w.length <= 3) return w;
  if (w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (/(sses|xes|ches|shes|zzes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

export function plural(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR_PLURAL[w]) return IRREGULAR_PLURAL[w];
  if (IRREGULAR_SINGULAR[w] || MASS_ICS.has(w)) return w;
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(w)) return w + 'es';
  return w + 's';
}

export function isPlural(word: string): boolean {
  const w = word.toLowerCase();
  return singular(w) !== w || w === 'people';
}

/** Words of a phrase, lower case, letters and digits only. */
export function words(phrase: string): string[] {
  return phrase
    // Possessives name their owner: "the customer's email" → customer email, "the owners' names" → owners names.
    .replace(/([A-Za-z0-9])['’]s\b/g, '$1')
    .replace(/([A-Za-z0-9])['’](?=\s|$)/g, '$1')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** camelCase identifier that fits the spec's name rule (a lowercase letter first, at most 30 characters). */
export function camel(phrase: string | string[]): string {
  const ws = (Array.isArray(phrase) ? phrase.flatMap(words) : words(phrase));
  let out = ws.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  if (!/^[a-z]/.test(out)) out = 'n' + out;
  return out.slice(0, 30);
}

/** Plural camelCase collection name for a noun phrase: "product version" → "productVersions". */
export function collectionName(phrase: string): string {
  const ws = words(phrase);
  if (!ws.length) return '';
  ws[ws.length - 1] = plural(singular(ws[ws.length - 1]));
  return camel(ws);
}

/** Singular camelCase: "tags" → "tag", "cover images" → "coverImage". */
export function singularName(phrase: string): string {
  const ws = words(phrase);
  if (!ws.length) return '';
  ws[ws.length - 1] = singular(ws[ws.length - 1]);
  return camel(ws);
}

export function label(name: string): string {
  const ws = words(name);
  const s = ws.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
