// Loose name matching for assertions, as in the builder's development set: case, separators,
// camelCase and plurals do not matter, and "a|b" lists accepted alternatives. A dataset says what
// the app must hold, not which of several reasonable spellings the builder picked.

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/** "publishedAt", "published_at", "Published at" → "publishedat"; plurals become singular. */
export function normalizeName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length > 0) words[words.length - 1] = singular(words[words.length - 1]);
  return words.join('');
}

/** Whether `actual` matches `wanted`, which may list alternatives as "a|b". */
export function nameMatches(wanted: string, actual: string): boolean {
  const a = normalizeName(actual);
  return wanted.split('|').some((w) => normalizeName(w) === a);
}

/** The first key of `record` that matches `wanted`. */
export function findName<T>(record: Readonly<Record<string, T>> | undefined, wanted: string): string | undefined {
  return Object.keys(record ?? {}).find((k) => nameMatches(wanted, k));
}
