// The one narrow interface for where uploaded bytes live, in the manner of a storage driver: the
// media library decides what is stored and who may see it; a blob store only keeps bytes under
// keys. Content is addressed by its SHA-256, so the same bytes are kept once however often they
// are uploaded. The file system (fs-blob-store.ts) is the default; an S3-compatible store is one
// more file implementing this.
import type { Readable } from 'node:stream';

/** Bytes to store: a stream that may fail half-way (an upload cut short or refused), or a whole buffer. */
export type BlobSource = AsyncIterable<Uint8Array> | Uint8Array;

export type StoredBlob = {
  /** The SHA-256 of the content, in lowercase hex: the blob's key. */
  key: string;
  size: number;
  /** false: these bytes were already stored, and were not written again. */
  created: boolean;
};

export type BlobRead = { stream: Readable; size: number };

export interface BlobStore {
  /**
   * Stores the bytes under their SHA-256, computed as they stream in. It resolves only once the
   * bytes are durable; a source that throws leaves nothing behind and the error is rethrown.
   */
  put(source: BlobSource): Promise<StoredBlob>;
  /**
   * Stores bytes derived from a stored blob (a resized image) under `variantKey(sha256, name)`.
   * Variants can always be made again, so a store may drop them.
   */
  putVariant(key: string, bytes: Uint8Array): Promise<void>;
  /** The stored bytes, or undefined when the key holds nothing. */
  get(key: string): Promise<BlobRead | undefined>;
  exists(key: string): Promise<boolean>;
  /** Removes the key; removing a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
}

const CONTENT_KEY = /^[0-9a-f]{64}$/;
const VARIANT_NAME = /^[a-z0-9-]{1,80}\.[a-z0-9]{1,10}$/;

/** Keys end up in file names and object paths, so only these two shapes are ever accepted. */
export function isContentKey(key: string): boolean {
  return CONTENT_KEY.test(key);
}

export function isVariantKey(key: string): boolean {
  const dot = key.indexOf('.');
  return dot === 64 && CONTENT_KEY.test(key.slice(0, 64)) && VARIANT_NAME.test(key.slice(65));
}

export function variantKey(sha256: string, name: string): string {
  const key = `${sha256}.${name}`;
  if (!isVariantKey(key)) throw new Error(`not a variant key: ${key}`);
  return key;
}

export function assertBlobKey(key: string): void {
  if (!isContentKey(key) && !isVariantKey(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
}

/** Reads a whole stored blob, for work that needs every byte at once such as decoding an image. */
export async function readAll(read: BlobRead): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of read.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
