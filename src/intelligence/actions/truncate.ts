// Shortening text for a length limit without cutting a word in half or ending on a dangling "and".

const DANGLING = new Set(['a', 'an', 'the', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'for', 'with', 'by', 'at', 'from', 'as', 'that', 'which', 'is', 'are', 'was', 'its', 'their', 'our', 'your']);

/** `text` if it fits in `max` characters; else its longest word-boundary prefix that does, with "…". */
export function truncateAtWord(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  // Room for the "…"; the last piece is a cut word unless the cut fell on a space.
  const words = t.slice(0, max - 1).split(' ');
  if (t[max - 1] !== ' ') words.pop();
  while (words.length > 1 && DANGLING.has(words[words.length - 1].toLowerCase().replace(/[^\p{L}]/gu, ''))) words.pop();
  let head = words.join(' ').replace(/[\s,;:–—-]+$/u, '');
  if (!head) head = t.slice(0, max - 1);
  return /[.!?…]$/.test(head) ? head : `${head}…`;
}
