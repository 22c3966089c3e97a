// What kind of file an upload is, told from its first bytes. The type a client declares is never
// trusted: a text file named cat.png and sent as image/png is text/plain here, so it cannot pass an
// `accept: ["image/*"]` field, and it is never served as an image.

/** How many leading bytes the sniffer looks at. */
export const SNIFF_BYTES = 512;

type Signature = { type: string; at?: number; bytes: number[] | string; also?: { at: number; bytes: string } };

// Checked in order; each entry is a magic number documented by its format.
const SIGNATURES: Signature[] = [
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: 'GIF87a' },
  { type: 'image/gif', bytes: 'GIF89a' },
  { type: 'image/webp', bytes: 'RIFF', also: { at: 8, bytes: 'WEBP' } },
  { type: 'image/avif', at: 4, bytes: 'ftypavif' },
  { type: 'image/avif', at: 4, bytes: 'ftypavis' },
  { type: 'image/heic', at: 4, bytes: 'ftypheic' },
  { type: 'image/heic', at: 4, bytes: 'ftypheix' },
  { type: 'image/tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { type: 'image/tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { type: 'image/bmp', bytes: 'BM' },
  { type: 'image/x-icon', bytes: [0x00, 0x00, 0x01, 0x00] },
  { type: 'application/pdf', bytes: '%PDF-' },
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/gzip', bytes: [0x1f, 0x8b] },
  { type: 'audio/mpeg', bytes: 'ID3' },
  { type: 'audio/wav', bytes: 'RIFF', also: { at: 8, bytes: 'WAVE' } },
  { type: 'audio/ogg', bytes: 'OggS' },
  { type: 'audio/flac', bytes: 'fLaC' },
  { type: 'video/webm', bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { type: 'video/quicktime', at: 4, bytes: 'ftypqt' },
  { type: 'video/mp4', at: 4, bytes: 'ftyp' },
];

function matchesAt(head: Uint8Array, at: number, bytes: number[] | string): boolean {
  const want = typeof bytes === 'string' ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
  if (head.length < at + want.length) return false;
  return want.every((b, i) => head[at + i] === b);
}

/** The media type of a file from its first bytes (at least SNIFF_BYTES of them, or all of a shorter file). */
export function sniffType(head: Uint8Array): string {
  for (const s of SIGNATURES) {
    if (matchesAt(head, s.at ?? 0, s.bytes) && (!s.also || matchesAt(head, s.also.at, s.also.bytes))) return s.type;
  }
  const text = asText(head);
  if (text === undefined) return 'application/octet-stream';
  // Markup is told apart from plain text because a browser would run it: it is never served inline.
  const start = text.replace(/^\uFEFF/, '').trimStart().slice(0, 256).toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg|<svg[\s>])/.test(start)) return 'image/svg+xml';
  if (/^(<!--[\s\S]*?-->\s*)*(<!doctype html|<html|<head|<body|<script|<iframe|<!--)/.test(start)) return 'text/html';
  if (start.startsWith('<?xml')) return 'application/xml';
  if (/^[{[]/.test(start)) return 'application/json';
  return 'text/plain';
}

/** The head decoded as UTF-8, or undefined when it is binary. A multi-byte character cut off at the end is allowed. */
function asText(head: Uint8Array): string | undefined {
  let end = head.length;
  // Step back over a character the sniff window cut in two: find the last lead byte, if any follows the last ASCII one.
  for (let i = end - 1; i >= Math.max(0, end - 3); i--) {
    if (head[i] < 0x80) break;
    if (head[i] >= 0xc0) {
      const need = head[i] >= 0xf0 ? 4 : head[i] >= 0xe0 ? 3 : 2;
      if (i + need > end) end = i;
      break;
    }
  }
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    // Control characters other than tab, newlines and form feed mean binary data.
    return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(s) ? undefined : s;
  } catch {
    return undefined;
  }
}

/** Whether a media type matches one of a field's `accept` patterns: exact ("image/png"), a family ("image/*"), or "*\/*". */
export function acceptsType(accept: readonly string[] | undefined, type: string): boolean {
  if (!accept || accept.length === 0) return true;
  const [family] = type.split('/');
  return accept.some((p) => {
    const pattern = p.trim().toLowerCase();
    return pattern === '*/*' || pattern === '*' || pattern === type || (pattern.endsWith('/*') && pattern.slice(0, -2) === family);
  });
}

/** Raster images that sharp reads for width, height and resized variants. SVG is left out: it is a document, not pixels. */
export const RASTER_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

/**
 * Types a browser shows inline without running anything. Everything else (SVG, HTML, PDF, text
 * that a browser might guess to be HTML) is served as an attachment, so an upload can never act as
 * a page of this origin.
 */
export const INLINE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);
