// Media uploads against a real server, once per driver: limits from the magazine spec's `avatar`
// (image/*, 5 MiB) and `cover` (image/*) fields, content sniffing, dedupe by hash on disk, resized
// variants, tenant isolation, and media fields naming uploaded files.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { drivers, startApp, ROOT_TOKEN, type TestApp } from '../harness.ts';
import { assertProblem, create, createTenant, type Item } from '../api/helpers.ts';

type Upload = { status: number; headers: Headers; body: Item };

async function upload(app: TestApp, path: string, bytes: Uint8Array, options: { filename?: string; type?: string; token?: string | null } = {}): Promise<Upload> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: options.type ?? 'application/octet-stream' }), options.filename ?? 'upload.bin');
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? ROOT_TOKEN}`;
  const res = await fetch(app.url + path, { method: 'POST', body: form, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function download(app: TestApp, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(app.url + path, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every file under the media directory except unfinished writes. */
function storedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (e.name !== '.tmp') walk(join(d, e.name));
      } else out.push(join(d, e.name));
    }
  };
  try {
    walk(dir);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw e;
  }
  return out.sort();
}

function leftoverTemps(dir: string): string[] {
  try {
    return readdirSync(join(dir, '.tmp'));
  } catch {
    return [];
  }
}

/** A single-tenant app whose only media field takes PNGs of at most 100 kB, and whose files no role may read. */
function gallerySpec(): Spec {
  const r = checkSpec({
    kiln: 1,
    name: 'gallery',
    tenancy: 'single',
    collections: { photos: { fields: { title: { type: 'string', required: true }, image: { type: 'media', accept: ['image/png'], maxSize: 100_000 } } } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

for (const d of await drivers()) {
  describe(`media uploads (${d})`, () => {
    let app: TestApp;
    let mediaDir: string;
    let png: Buffer;
    let jpeg: Buffer;
    let author: Item;
    let cover: Item;
    const base = '/api/t/mag';

    before(async () => {
      app = await startApp(d);
      // The app keeps files under its data directory, as `kiln start` does.
      mediaDir = join(app.dataDir, 'media');
      await createTenant(app, 'mag');
      await createTenant(app, 'other');
      author = await create(app, 'mag', 'authors', { name: 'Ada' });
      png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 60, b: 40 } } }).png().toBuffer();
      jpeg = await sharp({ create: { width: 300, height: 500, channels: 3, background: { r: 20, g: 90, b: 160 } } }).jpeg().toBuffer();
    });
    after(() => app.close());

    it('stores a PNG for a cover, with its type sniffed and its width and height', async () => {
      const r = await upload(app, `${base}/media?collection=articles&field=cover`, png, { filename: 'red.png', type: 'image/png' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      cover = r.body.data;
      assert.match(cover.id, /^[0-9a-f-]{36}$/);
      assert.equal(cover.url, `${base}/media/${cover.id}`);
      assert.equal(r.headers.get('location'), cover.url);
      assert.deepEqual({ type: cover.type, size: cover.size, width: cover.width, height: cover.height, filename: cover.filename }, { type: 'image/png', size: png.length, width: 640, height: 480, filename: 'red.png' });
    });

    it('serves the identical bytes with type, hash ETag, long caching, nosniff and inline disposition', async () => {
      const r = await download(app, cover.url);
      assert.equal(r.status, 200);
      assert.ok(r.bytes.equals(png));
      assert.equal(r.headers.get('content-type'), 'image/png');
      assert.equal(r.headers.get('etag'), `"${sha256(png)}"`);
      assert.match(r.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.match(r.headers.get('content-disposition') ?? '', /^inline; filename="red.png"/);
      const again = await download(app, cover.url, { 'if-none-match': r.headers.get('etag')! });
      assert.equal(again.status, 304);
    });

    it('lets anonymous callers read files when the spec lets them read a collection with media', async () => {
      const r = await download(app, cover.url);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('cache-control') ?? '', /^public/);
    });

    it('keeps the same bytes once: a second upload returns the same record and leaves one file on disk', async () => {
      const r = await upload(app, `${base}/media?collection=authors&field=avatar`, png, { filename: 'again.png' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.id, cover.id);
      assert.deepEqual(storedFiles(mediaDir), [join(mediaDir, sha256(png).slice(0, 2), sha256(png))]);
      assert.deepEqual(leftoverTemps(mediaDir), []);
    });

    it('stores a JPEG with the width and height it is shown at', async () => {
      const r = await upload(app, `${base}/media?collection=authors&field=avatar`, jpeg, { filename: 'blue.jpg', type: 'image/jpeg' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual({ type: r.body.data.type, width: r.body.data.width, height: r.body.data.height }, { type: 'image/jpeg', width: 300, height: 500 });
      const back = await download(app, r.body.data.url);
      assert.ok(back.bytes.equals(jpeg));
    });

    it('refuses a file larger than the field\'s maxSize with 413 naming the field, and stores nothing', async () => {
      const before = storedFiles(mediaDir);
      const big = Buffer.alloc(5 * 1024 * 1024 + 1);
      png.copy(big, 0, 0, 64);
      const r = await upload(app, `${base}/media?collection=authors&field=avatar`, big, { filename: 'big.png', type: 'image/png' });
      assertProblem({ ...r, body: r.body }, 413, 'avatar');
      assert.deepEqual(storedFiles(mediaDir), before);
      assert.deepEqual(leftoverTemps(mediaDir), []);
    });

    it('refuses a text file sent as image/png with 415 naming the field', async () => {
      const text = Buffer.from('This is not a picture, whatever its name says.\n'.repeat(20));
      const r = await upload(app, `${base}/media?collection=articles&field=cover`, text, { filename: 'cat.png', type: 'image/png' });
      const p = assertProblem(r, 415, 'cover');
      assert.match(p.detail, /text\/plain/);
      const html = await upload(app, `${base}/media?collection=authors&field=avatar`, Buffer.from('<!doctype html><script>alert(1)</script>'), { filename: 'x.png', type: 'image/png' });
      assertProblem(html, 415, 'avatar');
      assert.deepEqual(leftoverTemps(mediaDir), []);
    });

    it('accepts any type without a field, and serves what could be markup as an attachment', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const r = await upload(app, `${base}/media`, svg, { filename: 'logo.svg', type: 'image/svg+xml' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.data.type, 'image/svg+xml');
      const back = await download(app, r.body.data.url);
      assert.equal(back.status, 200);
      assert.match(back.headers.get('content-disposition') ?? '', /^attachment/);
      assert.equal(back.headers.get('x-content-type-options'), 'nosniff');
      const text = await upload(app, `${base}/media`, Buffer.from('plain words'), { filename: 'notes.txt' });
      assert.equal(text.body.data.type, 'text/plain');
      assert.match((await download(app, text.body.data.url)).headers.get('content-disposition') ?? '', /^attachment/);
    });

    it('serves resized variants of the requested width, made once and kept on disk', async () => {
      const r = await download(app, `${cover.url}?w=320`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'image/png');
      const meta = await sharp(r.bytes).metadata();
      assert.deepEqual([meta.width, meta.height], [320, 240]);
      const kept = join(mediaDir, sha256(png).slice(0, 2), `${sha256(png)}.w320-h0-inside.png`);
      assert.ok(statSync(kept).size > 0);
      const again = await download(app, `${cover.url}?w=320`);
      assert.ok(again.bytes.equals(r.bytes));

      const webp = await download(app, `${cover.url}?w=160&h=160&fit=cover&format=webp`);
      assert.equal(webp.headers.get('content-type'), 'image/webp');
      const wm = await sharp(webp.bytes).metadata();
      assert.deepEqual([wm.format, wm.width, wm.height], ['webp', 160, 160]);
    });

    it('refuses sizes off the ladder and unknown parameters with 400', async () => {
      assertProblem(await app.api(`${cover.url}?w=321`), 400, 'w');
      assertProblem(await app.api(`${cover.url}?w=99999`), 400, 'w');
      assertProblem(await app.api(`${cover.url}?fit=stretch`), 400, 'fit');
      assertProblem(await app.api(`${cover.url}?format=gif`), 400, 'format');
      assertProblem(await app.api(`${cover.url}?quality=10`), 400, 'quality');
    });

    it('keeps tenants apart: another tenant\'s media id is a 404, and its own upload is its own record', async () => {
      assertProblem(await app.api(`/api/t/other/media/${cover.id}`), 404);
      assertProblem(await app.api(`/api/t/other/media/${cover.id}?w=320`), 404);
      const r = await upload(app, '/api/t/other/media?collection=articles&field=cover', png, { filename: 'theirs.png' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.notEqual(r.body.data.id, cover.id);
      assert.equal(r.body.data.url, `/api/t/other/media/${r.body.data.id}`);
      // The bytes themselves are still stored once.
      assert.equal(storedFiles(mediaDir).filter((f) => f.endsWith(sha256(png))).length, 1);
    });

    it('lets an article\'s cover hold the uploaded file, and refuses another tenant\'s file', async () => {
      const article = await create(app, 'mag', 'articles', { title: 'With a cover', author: author.id, cover: cover.url });
      assert.equal(article.cover, cover.url);
      const read = await app.api(`${base}/articles/${article.id}`);
      assert.equal(read.body.data.cover, cover.url);

      const theirs = (await upload(app, '/api/t/other/media?collection=articles&field=cover', jpeg, { filename: 'b.jpg' })).body.data;
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Borrowed', author: author.id, cover: theirs.url } }), 422, 'cover');
      // The same id under this tenant's path is not this tenant's file either.
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { cover: `${base}/media/${theirs.id}` } }), 422, 'cover');
      assertProblem(await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { cover: `${base}/media/01900000-0000-7000-8000-000000000000` } }), 422, 'cover');
      // External URLs stay allowed.
      const external = await app.api(`${base}/articles/${article.id}`, { method: 'PATCH', body: { cover: 'https://example.com/a.png' } });
      assert.equal(external.status, 200, JSON.stringify(external.body));
    });

    it('holds a file uploaded without a field to the field\'s accept when an item names it', async () => {
      const text = await upload(app, `${base}/media`, Buffer.from('not an image at all'), { filename: 'a.txt' });
      assertProblem(await app.api(`${base}/articles`, { body: { title: 'Text cover', author: author.id, cover: text.body.data.url } }), 422, 'cover');
    });

    it('needs a caller who may write, a multipart body, and a real media field', async () => {
      assertProblem(await upload(app, `${base}/media?collection=articles&field=cover`, png, { token: null }), 401);
      assertProblem(await app.api(`${base}/media?collection=articles&field=cover`, { body: { file: 'x' } }), 415);
      assertProblem(await upload(app, `${base}/media?collection=articles&field=title`, png), 400, 'field');
      assertProblem(await upload(app, `${base}/media?collection=nope&field=cover`, png), 400, 'collection');
      assertProblem(await upload(app, `${base}/media?field=cover`, png), 400, 'collection');
      assertProblem(await upload(app, '/api/t/nobody/media', png), 404);
      assertProblem(await upload(app, `${base}/media`, Buffer.alloc(0)), 422, 'file');
    });
  });
}

for (const d of await drivers()) {
  describe(`media uploads: single-tenant app without public reads (${d})`, () => {
    let app: TestApp;
    let png: Buffer;

    before(async () => {
      app = await startApp(d, gallerySpec());
      png = await sharp({ create: { width: 64, height: 32, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    });
    after(() => app.close());

    it('answers at /api/media for the implicit tenant, and the url it returns names that tenant', async () => {
      const r = await upload(app, '/api/media?collection=photos&field=image', png, { filename: 'dot.png' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const { id, url } = r.body.data;
      assert.equal(url, `/api/t/default/media/${id}`);
      for (const path of [url, `/api/media/${id}`]) {
        const back = await download(app, path, { authorization: `Bearer ${ROOT_TOKEN}` });
        assert.equal(back.status, 200);
        assert.ok(back.bytes.equals(png));
        // Readable only with credentials, so never kept in shared caches.
        assert.match(back.headers.get('cache-control') ?? '', /^private/);
      }
      const photo = await app.api('/api/photos', { body: { title: 'Dot', image: url } });
      assert.equal(photo.status, 201, JSON.stringify(photo.body));
      assert.equal(photo.body.data.image, url);
    });

    it('refuses anonymous reads when no role may read a collection with media', async () => {
      const r = await upload(app, '/api/media', png);
      assertProblem(await app.api(r.body.data.url, { token: null }), 401);
    });

    it('holds uploads to the field\'s exact type and size', async () => {
      const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().toBuffer();
      assertProblem(await upload(app, '/api/media?collection=photos&field=image', jpeg), 415, 'image');
      const noisy = await sharp(Buffer.from(Array.from({ length: 200 * 200 * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: 200, height: 200, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
      assert.ok(noisy.length > 100_000);
      assertProblem(await upload(app, '/api/media?collection=photos&field=image', noisy), 413, 'image');
      // A file uploaded without naming the field is held to it when an item names it.
      const loose = await upload(app, '/api/media', noisy);
      assert.equal(loose.status, 201, JSON.stringify(loose.body));
      assertProblem(await app.api('/api/photos', { body: { title: 'Big', image: loose.body.data.url } }), 422, 'image');
    });
  });
}
