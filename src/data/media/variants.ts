// Resized images made on demand with sharp (`?w=320&h=240&fit=cover&format=webp`). Sizes come from
// a fixed ladder and only a few fits and formats exist, so one image has a bounded number of
// variants however a client varies the query; renders run at most two at a time, and a decoded
// image is capped in pixels, so resizing cannot be used to exhaust memory or the CPU.
import sharp from 'sharp';
import { DataError, invalidQuery } from '../errors.ts';

export const VARIANT_SIZES: readonly number[] = [32, 64, 96, 128, 160, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920, 2560];
const FITS = ['inside', 'cover', 'contain'] as const;
const FORMATS = ['webp', 'jpeg', 'png'] as const;
type Fit = (typeof FITS)[number];
type Format = (typeof FORMATS)[number];

export const VARIANT_PARAMS = ['w', 'h', 'fit', 'format'] as const;
export const FORMAT_TYPES: Record<Format, string> = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };

/** Decoding more pixels than this (about 64 MP, 256 MB as RGBA) is refused. */
const MAX_INPUT_PIXELS = 64_000_000;
const MAX_CONCURRENT_RENDERS = 2;

export type VariantRequest = { width?: number; height?: number; fit?: Fit; format?: Format };
export type Variant = { width?: number; height?: number; fit: Fit; format: Format };

/** The variant a query asks for, or undefined when it asks for the original. */
export function parseVariantQuery(query: Record<string, unknown>): VariantRequest | undefined {
  const out: VariantRequest = {};
  let any = false;
  for (const [key, raw] of Object.entries(query)) {
    if (!(VARIANT_PARAMS as readonly string[]).includes(key)) throw invalidQuery(key, `is not a query parameter here; use ${VARIANT_PARAMS.join(', ')}`);
    if (typeof raw !== 'string') throw invalidQuery(key, 'must be given once, as a plain value');
    any = true;
    if (key === 'w' || key === 'h') {
      const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
      if (!VARIANT_SIZES.includes(n)) throw invalidQuery(key, `must be one of ${VARIANT_SIZES.join(', ')}`);
      out[key === 'w' ? 'width' : 'height'] = n;
    } else if (key === 'fit') {
      if (!(FITS as readonly string[]).includes(raw)) throw invalidQuery(key, `must be one of ${FITS.join(', ')}`);
      out.fit = raw as Fit;
    } else {
      if (!(FORMATS as readonly string[]).includes(raw)) throw invalidQuery(key, `must be one of ${FORMATS.join(', ')}`);
      out.format = raw as Format;
    }
  }
  return any ? out : undefined;
}

/** Fills in the defaults: `inside` (never crops or stretches) and the original's format when it is one of the outputs. */
export function resolveVariant(request: VariantRequest, originalType: string): Variant {
  const same = FORMATS.find((f) => FORMAT_TYPES[f] === originalType);
  return { width: request.width, height: request.height, fit: request.fit ?? 'inside', format: request.format ?? same ?? 'png' };
}

/** The variant's part of its blob key: every parameter, so two requests share a cached file only when they ask for the same thing. */
export function variantName(v: Variant): string {
  return `w${v.width ?? 0}-h${v.height ?? 0}-${v.fit}.${v.format}`;
}

let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` once one of the render slots is free; a finished render hands its slot straight to the next in line. */
async function inRenderSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT_RENDERS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Renders a variant. The original is read only once a render slot is free, so waiting requests hold no image in memory. */
export function renderVariant(readOriginal: () => Promise<Buffer>, v: Variant): Promise<Buffer> {
  return inRenderSlot(async () => {
    const original = await readOriginal();
    // Images are shown as their EXIF orientation says; the output carries no metadata.
    let img = sharp(original, { limitInputPixels: MAX_INPUT_PIXELS }).autoOrient();
    if (v.width !== undefined || v.height !== undefined) {
      const opaque = v.format === 'jpeg';
      img = img.resize({ width: v.width, height: v.height, fit: v.fit, withoutEnlargement: true, background: { r: 255, g: 255, b: 255, alpha: opaque ? 1 : 0 } });
    }
    if (v.format === 'jpeg') img = img.flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true });
    else if (v.format === 'webp') img = img.webp({ quality: 80 });
    else img = img.png();
    try {
      return await img.toBuffer();
    } catch (e) {
      // The bytes are the uploader's: an image sharp cannot decode in full is their fault, not Kiln's.
      const detail = /pixel limit/i.test((e as Error).message) ? `resizing is limited to images of ${MAX_INPUT_PIXELS} pixels` : 'the image cannot be decoded in full';
      throw new DataError('invalid_query', 'This image cannot be resized; request the original', [{ field: v.width !== undefined ? 'w' : v.height !== undefined ? 'h' : 'format', detail }]);
    }
  });
}
