// The admin UI's files at /admin: the Vite build output (web/admin/dist) served by a small route of
// our own. Hashed assets are cached for good; every other path without a file falls back to
// index.html so the single-page app can route it. Paths are decoded, normalized and held inside the
// build folder: nothing else on disk can be reached through /admin.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, posix, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../problem.ts';

export const ADMIN_PREFIX = '/admin';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// The page may load only what the build holds and talk only to this server.
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

export type AdminFilesOptions = { dir: string };

/** The build's file for a request path below /admin/, or undefined when the path leaves the folder. */
export function adminFilePath(root: string, rest: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const normal = posix.normalize(`/${decoded}`);
  if (normal.split('/').includes('..')) return undefined;
  const full = resolve(root, `.${normal}`);
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

async function fileAt(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

export function adminFiles(app: FastifyInstance, { dir }: AdminFilesOptions): void {
  const root = resolve(dir);
  const notBuilt = (reply: FastifyReply) =>
    reply
      .code(503)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send('<!doctype html><meta charset="utf-8"><title>Kiln admin</title><h1>The admin UI is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it when it is missing), then reload.</p>');
  const page = (reply: FastifyReply, body: Buffer) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .type(TYPES['.html'])
      .send(body);

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    const rest = path.slice(ADMIN_PREFIX.length + 1);
    const index = await fileAt(join(root, 'index.html'));
    if (!index) return notBuilt(reply);
    const file = adminFilePath(root, rest);
    if (!file) return sendProblem(reply, { type: 'urn:kiln:problem:not-found', title: 'Not found', status: 404, detail: `No file ${path}`, instance: path });
    const body = rest === '' ? undefined : await fileAt(file);
    if (body && extname(file) !== '.html') {
      // Vite names everything under assets/ after its content hash: a changed file gets a new name.
      const hashed = rest.startsWith('assets/');
      return reply
        .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .send(body);
    }
    // A missing asset is a 404, not the page: a browser would otherwise run HTML as a script.
    if (!body && (rest.startsWith('assets/') || extname(rest) !== '')) {
      return sendProblem(reply, { type: 'urn:kiln:problem:not-found', title: 'Not found', status: 404, detail: `No file ${path}`, instance: path });
    }
    return page(reply, index);
  };

  app.get(ADMIN_PREFIX, { schema: { hide: true } }, (_req, reply) => reply.redirect(`${ADMIN_PREFIX}/`));
  app.get(`${ADMIN_PREFIX}/*`, { schema: { hide: true } }, serve);
}
