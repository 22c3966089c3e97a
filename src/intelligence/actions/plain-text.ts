// The prose of a field value, as the actions read it: HTML tags and Markdown syntax removed,
// entities decoded, paragraphs kept apart (so a heading never runs into the next sentence). Code,
// scripts, styles and image addresses are dropped: they are not prose and would skew word counts.

const BLOCK_TAGS = 'p|div|section|article|header|footer|aside|main|nav|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|blockquote|pre|figure|figcaption|hr|br';

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', copy: '©', reg: '®', trade: '™', euro: '€',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, code: string) => {
    if (code[0] === '#') {
      const n = code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
    }
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

function stripHtml(s: string): string {
  return s
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|template|code|pre|svg|iframe|noscript)\b[\s\S]*?<\/\1\s*>/gi, '\n\n')
    .replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), '\n\n')
    .replace(/<\/?[a-z][a-z0-9-]*\b[^>]*>/gi, '');
}

function stripMarkdown(s: string): string {
  return s
    .replace(/^[ \t]*(```|~~~)[\s\S]*?^[ \t]*\1[^\n]*$/gm, '\n\n') // fenced code
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ') // images
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // links keep their text
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/^[ \t]*\[[^\]]+\]:[ \t]*\S+.*$/gm, '') // link definitions
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, '\n\n$1\n\n') // headings stand alone
    .replace(/^[ \t]{0,3}(?:[-*_][ \t]*){3,}$/gm, '\n\n') // rules
    .replace(/^[ \t]{0,3}>[ \t]?/gm, '') // quotes
    .replace(/^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+/gm, '\n\n') // list items stand alone
    .replace(/^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$/gm, '') // table rules
    .replace(/\s\|\s/g, ' ; ')
    .replace(/(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2')
    .replace(/(^|[\s(])([*_])(?=\S)([^\n]*?\S)\2(?=[\s).,;:!?]|$)/gm, '$1$3')
    .replace(/~~(?=\S)([^\n]*?\S)~~/g, '$1');
}

/** Paragraphs of prose, in order, with whitespace collapsed inside each. */
export function paragraphsOf(value: string): string[] {
  const text = decodeEntities(stripMarkdown(stripHtml(value)));
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => /[\p{L}\p{N}]/u.test(p));
}

/** The prose of a value as one string, paragraphs separated by blank lines. */
export function plainText(value: string): string {
  return paragraphsOf(value).join('\n\n');
}
