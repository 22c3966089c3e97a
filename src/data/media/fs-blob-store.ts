// Blobs as files under one directory (by default `${KILN_DATA_DIR}/media`): `<aa>/<sha256>` for
// uploads and `<aa>/<sha256>.<variant>` beside them for resized images. Bytes are written to a
// temporary file, flushed, and renamed into place, and the directory entry is flushed too, so an
// upload the API acknowledged survives a crash of the process or the machine and a reader never
// sees half a file.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, isVariantKey, type BlobRead, type BlobSource, type BlobStore, type StoredBlob } from './blob-store.ts';

const isMissing = (e: unknown) => (e as { code?: string }).code === 'ENOENT';

export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.root = root;
    // Inside the root, so the final rename never crosses file systems.
    this.#tmp = join(root, '.tmp');
  }

  /** Where a key's file lives; keys are checked first, so no key can name a path outside the root. */
  pathOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, key.slice(0, 2), key);
  }

  async put(source: BlobSource): Promise<StoredBlob> {
    const tmp = await this.#tempFile();
    const hash = createHash('sha256');
    let size = 0;
    try {
      const hashed = async function* () {
        for await (const chunk of source instanceof Uint8Array ? [source] : source) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      };
      // flush: fsync before close, so the bytes are on disk before the rename makes them visible.
      await pipeline(hashed(), createWriteStream(tmp, { flags: 'wx', flush: true }));
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    const key = hash.digest('hex');
    const path = this.pathOf(key);
    if (await this.exists(key)) {
      await unlink(tmp).catch(() => {});
      return { key, size, created: false };
    }
    await this.#moveIntoPlace(tmp, path, true);
    return { key, size, created: true };
  }

  async putVariant(key: string, bytes: Uint8Array): Promise<void> {
    if (!isVariantKey(key)) throw new Error(`not a variant key: ${JSON.stringify(key)}`);
    const tmp = await this.#tempFile();
    try {
      await pipeline([bytes], createWriteStream(tmp, { flags: 'wx' }));
      // A variant lost in a crash is simply made again, so it is not flushed; the rename still
      // keeps readers from seeing a partly written one.
      await this.#moveIntoPlace(tmp, this.pathOf(key), false);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  async get(key: string): Promise<BlobRead | undefined> {
    const path = this.pathOf(key);
    try {
      // Opened before answering, so a missing file is reported here rather than mid-response.
      const fh = await open(path, 'r');
      const { size } = await fh.stat();
      return { stream: fh.createReadStream(), size };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await access(this.pathOf(key));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }

  async #tempFile(): Promise<string> {
    await mkdir(this.#tmp, { recursive: true });
    return join(this.#tmp, randomUUID());
  }

  async #moveIntoPlace(tmp: string, path: string, durable: boolean): Promise<void> {
    const dir = dirname(path);
    const made = await mkdir(dir, { recursive: true });
    await rename(tmp, path);
    if (!durable) return;
    // The rename is durable only once the directory holding the new entry is flushed, and a
    // directory made just now needs its own entry in the root flushed as well.
    await syncDir(dir);
    if (made !== undefined) await syncDir(dirname(made));
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
