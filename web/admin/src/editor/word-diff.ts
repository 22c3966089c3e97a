// Word-level differences between two texts, for showing what a revision changed: the longest common
// run of words is kept, the rest is marked removed or added. Whitespace travels with its word.

export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string };

function tokens(s: string): string[] {
  return s.match(/\s*\S+\s*|\s+/g) ?? [];
}

// Past this many cells the table would cost more than it shows; the texts are shown as replaced.
const MAX_CELLS = 2_000_000;

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  const out: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  // Common ends first: most edits touch a small middle part.
  let start = 0;
  while (start < a.length && start < b.length && a[start].trim() === b[start].trim()) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1].trim() === b[endB - 1].trim()) {
    endA--;
    endB--;
  }
  for (let i = 0; i < start; i++) push('same', b[i]);
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length * y.length > MAX_CELLS) {
    if (x.length) push('removed', x.join(''));
    if (y.length) push('added', y.join(''));
  } else {
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..].
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w);
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i].trim() === y[j].trim() ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
      if (x[i].trim() === y[j].trim()) {
        push('same', y[j]);
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) push('removed', x[i++]);
      else push('added', y[j++]);
    }
    while (i < x.length) push('removed', x[i++]);
    while (j < y.length) push('added', y[j++]);
  }
  for (let i = endB; i < b.length; i++) push('same', b[i]);
  return out;
}

/** The text a reader sees in an HTML value, with blocks on their own lines. */
export function htmlText(html: string): string {
  if (!html.includes('<')) return html;
  const doc = new DOMParser().parseFromString(html.replace(/<\/(p|h[1-6]|li|blockquote|pre)>/gi, '$&\n').replace(/<br\s*\/?>/gi, '\n'), 'text/html');
  return (doc.body.textContent ?? '').trim();
}
