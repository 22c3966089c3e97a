// Serving the built admin UI at /admin: the page for every app path, assets with their types and
// long-lived caching, 404 for missing assets, nothing outside the build folder reachable, a clear
// 503 before the first build; and the source hash that decides when `kiln start` rebuilds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminFiles } from '../../src/experience/admin/admin-files.ts';
import { adminSourceHash } from '../../src/experience/admin/admin-build.ts';

async function serve(dir: string): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  adminFiles(app, { dir });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

/** A raw request line, so that the path reaches the server exactly as written (no client normalization). */
async function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin UI files', () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-admin-files-'));
  const dist = join(root, 'dist');
  let server: { app: FastifyInstance; url: string };
  before(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>the app</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    server = await serve(dist);
  });
  after(async () => {
    await server.app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('/admin redirects to /admin/, and app paths get the page, never cached', async () => {
    const r = await fetch(`${server.url}/admin`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/admin/');
    for (const path of ['/admin/', '/admin/sign-in', '/admin/t/northwind/articles/0199', '/admin/index.html']) {
      const page = await fetch(server.url + path);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(page.headers.get('cache-control'), 'no-cache');
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.equal(await page.text(), '<!doctype html><title>the app</title>');
    }
  });

  test('hashed assets come with their type and are cached for good; other files are revalidated', async () => {
    const js = await fetch(`${server.url}/admin/assets/index-abc123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await js.text(), 'console.log(1)');
    const css = await fetch(`${server.url}/admin/assets/index-abc123.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const svg = await fetch(`${server.url}/admin/favicon.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.equal(svg.headers.get('cache-control'), 'no-cache');
  });

  test('a missing asset is a 404, not the page', async () => {
    for (const path of ['/admin/assets/gone-123.js', '/admin/missing.png']) {
      const r = await fetch(server.url + path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
    }
  });

  test('nothing outside the build folder can be reached', async () => {
    for (const path of ['/admin/../secret.txt', '/admin/%2e%2e/secret.txt', '/admin/..%2fsecret.txt', '/admin/assets/..%2f..%2fsecret.txt', '/admin/%2e%2e%5csecret.txt', '/admin/x%00.js', '/admin/%E0%A4%A']) {
      const r = await rawGet(server.url, path);
      assert.ok(r.status === 404 || r.status === 400, `${path} answered ${r.status}`);
      assert.doesNotMatch(r.body, /not for the web/, path);
    }
  });

  test('before the first build every admin path says how to build it', async () => {
    const empty = await serve(join(root, 'nothing-here'));
    try {
      const r = await fetch(`${empty.url}/admin/t/a/b`);
      assert.equal(r.status, 503);
      assert.match(await r.text(), /npm run build/);
    } finally {
      await empty.app.close();
    }
  });

  test('the source hash changes with any source file and ignores the build output', () => {
    const src = mkdtempSync(join(tmpdir(), 'kiln-admin-src-'));
    try {
      mkdirSync(join(src, 'src', 'pages'), { recursive: true });
      writeFileSync(join(src, 'index.html'), '<div id="root"></div>');
      writeFileSync(join(src, 'src', 'pages', 'a.tsx'), 'export const a = 1;');
      const first = adminSourceHash(src);
      assert.match(first, /^[0-9a-f]{64}$/);
      mkdirSync(join(src, 'dist'));
      writeFileSync(join(src, 'dist', 'index.html'), 'built');
      assert.equal(adminSourceHash(src), first);
      writeFileSync(join(src, 'src', 'pages', 'a.tsx'), 'export const a = 2;');
      const second = adminSourceHash(src);
      assert.notEqual(second, first);
      writeFileSync(join(src, 'src', 'pages', 'b.tsx'), '');
      assert.notEqual(adminSourceHash(src), second);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });
});
