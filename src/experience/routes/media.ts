// Uploaded files. One upload route for the whole tenant:
//
//   POST /api/t/{tenant}/media?collection=articles&field=cover   (multipart/form-data, one file part)
//
// `collection` and `field` are optional and go in the query string, not the form, because the
// field's `accept` and `maxSize` have to be known before the first byte of the file is read. With
// them, the upload is held to that field's limits (413 past maxSize, 415 for a type it does not
// accept, both naming the field); without them, to the server-wide size limit only. Either way a
// media field checks the file again when an item is written, so a file uploaded without naming a
// field cannot slip past the field's limits. The answer (201, or 200 for bytes the tenant already
// uploaded) is {data: {id, url, type, size, width, height, filename, createdAt}}; `url` is what a
// media field holds.
//
//   GET /api/t/{tenant}/media/{id}[?w=320&h=240&fit=cover&format=webp]
//
// serves the file, or a resized variant of an image, made on first request and kept.
// Single-tenant apps answer at /api/media too.
//
// The multipart parser is registered inside this plugin only: everywhere else, JSON stays the one
// body the API reads.
import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { invalidQuery } from '../../data/errors.ts';
import type { BlobStore } from '../../data/media/blob-store.ts';
import { MediaLibrary, UploadRefused, type UploadTarget } from '../../data/media/media-library.ts';
import type { MediaRecord } from '../../data/media/media-table.ts';
import { INLINE_TYPES } from '../../data/media/media-types.ts';
import { parseVariantQuery } from '../../data/media/variants.ts';
import { SINGLE_TENANT_SLUG, type Store } from '../../data/store.ts';
import { sendProblem } from '../problem.ts';
import { queryOf } from '../query-string.ts';

export type MediaDeps = {
  store: Store;
  actor: (req: FastifyRequest) => Actor;
  /** Where the bytes live; default: the file system under `${KILN_DATA_DIR}/media`. */
  blobs: BlobStore;
};

const YEAR = 365 * 24 * 60 * 60;

const mediaSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    type: { type: 'string' },
    size: { type: 'integer' },
    width: { type: ['integer', 'null'] },
    height: { type: ['integer', 'null'] },
    filename: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;

/** An error Fastify's problem handler turns into a problem with this status. */
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}

export const mediaRoutes: FastifyPluginAsync<MediaDeps> = async (app, { store, actor, blobs }) => {
  const library = new MediaLibrary(store, blobs);
  // Sizes are enforced per upload from the field's limits; these bound the rest of the form.
  await app.register(multipart, { limits: { files: 1, fields: 20, parts: 21, fieldNameSize: 100, fieldSize: 1000, headerPairs: 100 } });

  const tenantOf = (req: FastifyRequest) => (req.params as { tenant?: string }).tenant ?? SINGLE_TENANT_SLUG;

  const targetOf = (req: FastifyRequest): UploadTarget => {
    const q = queryOf(req.query);
    const target: UploadTarget = {};
    for (const [k, v] of Object.entries(q)) {
      if (k !== 'collection' && k !== 'field') throw invalidQuery(k, 'is not a query parameter here; use collection and field');
      if (typeof v !== 'string') throw invalidQuery(k, 'must be given once, as a plain value');
      target[k] = v;
    }
    return target;
  };

  const upload = {
    // The caller and the target are checked before the body is looked at, as for item writes.
    onRequest: async (req: FastifyRequest) => {
      library.uploadLimits(actor(req), targetOf(req), tenantOf(req));
      if (!/^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '')) {
        throw httpError(415, 'Send the file as multipart/form-data, as one file part');
      }
    },
    schema: { response: { 200: { type: 'object', properties: { data: mediaSchema } }, 201: { type: 'object', properties: { data: mediaSchema } } } },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const tenant = tenantOf(req);
      try {
        const { record, created } = await library.upload({ tenant, actor: actor(req) }, targetOf(req), async (maxSize) => {
          // One byte past the limit is read so that an over-long file is told apart from one of exactly maxSize.
          const part = await req.file({ limits: { fileSize: maxSize + 1 }, throwFileSizeLimit: false }).catch((e: Error) => {
            throw httpError(400, `The multipart body cannot be read: ${e.message}`);
          });
          return part && { stream: unreadable(part.file), filename: part.filename };
        });
        const url = library.url(tenant, record.id);
        if (created) reply.code(201).header('location', url);
        return { data: { ...record, url } };
      } catch (e) {
        discardRest(req.raw);
        if (!(e instanceof UploadRefused)) throw e;
        const tooLarge = e.reason === 'too_large';
        return sendProblem(reply, {
          type: tooLarge ? 'urn:kiln:problem:too-large' : 'urn:kiln:problem:unsupported-type',
          title: tooLarge ? 'Content Too Large' : 'Unsupported Media Type',
          status: tooLarge ? 413 : 415,
          detail: e.message,
          instance: req.url.split('?')[0],
          errors: [{ field: e.field, detail: e.message }],
        });
      }
    },
  };

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const variant = parseVariantQuery(queryOf(req.query));
    const file = await library.open({ tenant: tenantOf(req), actor: actor(req) }, (req.params as { id: string }).id, variant);
    reply
      .header('etag', file.etag)
      // The bytes behind an id never change, so caches may keep them for good.
      .header('cache-control', `${library.publiclyReadable() ? 'public' : 'private'}, max-age=${YEAR}, immutable`)
      .header('x-content-type-options', 'nosniff')
      // Opened directly, a file is a sandboxed document that may load nothing and run nothing.
      .header('content-security-policy', "default-src 'none'; sandbox");
    if (matchesEtag(req.headers['if-none-match'], file.etag)) {
      file.stream.destroy();
      return reply.code(304).send();
    }
    const filename = file.variant ? withExtension(file.record, file.variant.format) : file.record.filename;
    return reply
      .header('content-type', file.type)
      .header('content-length', file.size)
      .header('content-disposition', disposition(INLINE_TYPES.has(file.type) ? 'inline' : 'attachment', filename))
      .send(file.stream);
  };

  app.post('/api/t/:tenant/media', upload);
  app.get('/api/t/:tenant/media/:id', serve);
  if (store.spec.tenancy === 'single') {
    app.post('/api/media', upload);
    app.get('/api/media/:id', serve);
  }
};

/** After a refusal, at most this much more of an upload is read (and dropped); a client still sending then is cut off. */
const DISCARD_LIMIT = 8 * 1024 * 1024;

/**
 * Reads what is left of a refused upload and drops it, so the client can read its answer on a
 * connection that stays usable; a client that keeps sending long after is disconnected instead.
 */
function discardRest(raw: IncomingMessage): void {
  if (raw.readableEnded) return;
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT) raw.socket.destroy();
  });
  raw.resume();
}

/** Errors of a malformed or cut-off body are the client's, and become a 400 rather than a 500. */
async function* unreadable(file: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (e) {
    throw httpError(400, `The multipart body cannot be read: ${(e as Error).message}`);
  }
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

function withExtension(record: MediaRecord, format: string): string | null {
  if (!record.filename) return null;
  return `${record.filename.replace(/\.[^.]*$/, '')}.${format === 'jpeg' ? 'jpg' : format}`;
}

/** A Content-Disposition with the name in plain ASCII and, for other characters, RFC 8187 encoded. */
function disposition(kind: 'inline' | 'attachment', filename: string | null): string {
  if (!filename) return kind;
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
