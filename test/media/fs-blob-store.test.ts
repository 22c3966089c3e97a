// The file-system blob store on its own: content addressing, dedupe, nothing left behind by a
// failed write, and keys that cannot name a path outside its directory.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAll, variantKey } from '../../src/data/media/blob-store.ts';
import { FsBlobStore } from '../../src/data/media/fs-blob-store.ts';

describe('FsBlobStore', () => {
  let dir: string;
  let blobs: FsBlobStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-blobs-'));
    blobs = new FsBlobStore(join(dir, 'media'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const bytes = Buffer.from('hello, blob store');
  const key = createHash('sha256').update(bytes).digest('hex');

  it('stores bytes under their SHA-256 in <aa>/<sha256>', async () => {
    const stored = await blobs.put(bytes);
    assert.deepEqual(stored, { key, size: bytes.length, created: true });
    assert.ok(readFileSync(join(dir, 'media', key.slice(0, 2), key)).equals(bytes));
    assert.equal(await blobs.exists(key), true);
    const read = await blobs.get(key);
    assert.equal(read?.size, bytes.length);
    assert.ok((await readAll(read!)).equals(bytes));
  });

  it('keeps the same bytes once, whether they come as a buffer or a stream', async () => {
    async function* chunks() {
      yield bytes.subarray(0, 5);
      yield bytes.subarray(5);
    }
    assert.deepEqual(await blobs.put(chunks()), { key, size: bytes.length, created: false });
    assert.deepEqual(readdirSync(join(dir, 'media', key.slice(0, 2))), [key]);
    assert.deepEqual(readdirSync(join(dir, 'media', '.tmp')), []);
  });

  it('leaves nothing behind when the source fails half-way', async () => {
    async function* failing() {
      yield Buffer.from('partial upload');
      throw new Error('client went away');
    }
    await assert.rejects(blobs.put(failing()), /client went away/);
    assert.deepEqual(readdirSync(join(dir, 'media', '.tmp')), []);
    const partialKey = createHash('sha256').update('partial upload').digest('hex');
    assert.equal(await blobs.exists(partialKey), false);
  });

  it('keeps variants beside their original and deletes keys', async () => {
    const v = variantKey(key, 'w320-h0-inside.webp');
    await blobs.putVariant(v, Buffer.from('variant bytes'));
    assert.ok(existsSync(join(dir, 'media', key.slice(0, 2), v)));
    assert.equal((await readAll((await blobs.get(v))!)).toString(), 'variant bytes');
    await blobs.delete(v);
    await blobs.delete(v);
    assert.equal(await blobs.get(v), undefined);
    assert.equal(await blobs.exists(key), true);
  });

  it('refuses keys that are not a hash or a hash with a variant name', async () => {
    for (const bad of ['../../etc/passwd', `${key}/../x`, `${key}.../x`, key.toUpperCase(), `${key.slice(0, 63)}`, '']) {
      await assert.rejects(blobs.get(bad), /not a blob key/, bad);
    }
    await assert.rejects(blobs.putVariant(key, Buffer.from('x')), /not a variant key/);
  });
});
