// Uploaded files of a tenant: the one entry for storing and reading them, as the store is for items.
// An upload is held to its field's limits while it streams in (nothing past `maxSize` is read, and
// a type the field does not accept is refused from the first bytes), stored by content hash in
// the blob store, and recorded once per tenant and content. Reads stay inside the tenant.
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { can, type Actor } from '../access.ts';
import { DataError, invalidQuery, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { TENANT_COLUMN } from '../model.ts';
import type { Scope, Store } from '../store.ts';
import { ID_PATTERN, mediaRef } from '../../spec/values.ts';
import { readAll, variantKey, type BlobStore } from './blob-store.ts';
import { MEDIA_TABLE, decodeMediaRow, findMedia, type MediaRecord } from './media-table.ts';
import { RASTER_TYPES, SNIFF_BYTES, acceptsType, sniffType } from './media-types.ts';
import { FORMAT_TYPES, renderVariant, resolveVariant, variantName, type Variant, type VariantRequest } from './variants.ts';

/** The largest upload when the field names no `maxSize`, or when no field is named. */
export const DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024;

/** Which media field an upload is for; with neither, only the server-wide size limit applies. */
export type UploadTarget = { collection?: string; field?: string };
export type UploadLimits = { accept?: readonly string[]; maxSize: number; field: string };
export type UploadFile = { stream: AsyncIterable<Uint8Array>; filename?: string };

/** An upload refused for what the file is; `field` names the media field (or "file") it was refused for. */
export class UploadRefused extends Error {
  readonly reason: 'too_large' | 'type';
  readonly field: string;
  constructor(reason: 'too_large' | 'type', field: string, message: string) {
    super(message);
    this.reason = reason;
    this.field = field;
  }
}

export type MediaFile = {
  record: MediaRecord;
  stream: Readable;
  size: number;
  /** The type served: the original's, or the variant's format. */
  type: string;
  /** Stable for the bytes served: the content hash, with the variant's parameters. */
  etag: string;
  variant?: Variant;
};

const FILENAME_MAX = 255;

export class MediaLibrary {
  readonly store: Store;
  readonly blobs: BlobStore;
  // Concurrent requests for the same missing variant share one render.
  readonly #rendering = new Map<string, Promise<Buffer>>();

  constructor(store: Store, blobs: BlobStore) {
    this.store = store;
    this.blobs = blobs;
  }

  /** Collections with a media field: who may write or read one of them may upload or read files. */
  #mediaCollections(): string[] {
    return [...this.store.model.collections.values()].filter((cm) => cm.columns.some((fm) => fm.field.type === 'media')).map((cm) => cm.name);
  }

  #refuse(actor: Actor, what: string): never {
    if (actor.kind === 'anonymous') throw new DataError('unauthenticated', `Sign in to ${what}`);
    throw new DataError('forbidden', `You may not ${what}`);
  }

  /** Who may upload, and what the upload is held to; checked before a byte of the body is read. */
  uploadLimits(actor: Actor, target: UploadTarget, tenant?: string): UploadLimits {
    const { collection, field } = target;
    const spec = this.store.spec;
    if (collection === undefined && field === undefined) {
      const writable = actor.kind === 'root' || this.#mediaCollections().some((c) => can(spec, actor, 'create', c, tenant) || can(spec, actor, 'update', c, tenant));
      if (!writable) this.#refuse(actor, 'upload files');
      return { maxSize: DEFAULT_MAX_UPLOAD, field: 'file' };
    }
    if (collection === undefined) throw invalidQuery('collection', 'is required with field: name the collection the media field belongs to');
    const cm = this.store.model.collections.get(collection);
    if (!cm) throw invalidQuery('collection', `is not a collection; collections are ${[...this.store.model.collections.keys()].join(', ')}`);
    const media = cm.columns.filter((fm) => fm.field.type === 'media').map((fm) => fm.name);
    if (field === undefined) throw invalidQuery('field', `is required with collection: one of ${collection}'s media fields (${media.join(', ') || 'it has none'})`);
    const f = cm.fields.get(field)?.field;
    if (f?.type !== 'media') throw invalidQuery('field', `is not a media field of ${collection}; its media fields are ${media.join(', ') || 'none'}`);
    if (!can(spec, actor, 'create', collection, tenant) && !can(spec, actor, 'update', collection, tenant)) this.#refuse(actor, `upload files to ${collection}`);
    return { accept: f.accept, maxSize: f.maxSize ?? DEFAULT_MAX_UPLOAD, field };
  }

  #assertReadable(actor: Actor, tenant: string): void {
    if (!this.publiclyReadable() && !(actor.kind === 'root' || this.#mediaCollections().some((c) => can(this.store.spec, actor, 'read', c, tenant)))) this.#refuse(actor, 'read files');
  }

  /** Whether callers without credentials may read files (so responses may sit in shared caches). */
  publiclyReadable(): boolean {
    return this.#mediaCollections().some((c) => can(this.store.spec, { kind: 'anonymous' }, 'read', c));
  }


  /**
   * Stores an upload. `openFile` is called once the caller and the limits are known, with the most
   * bytes the file may have, and returns the file's stream (or undefined when the request has none).
   * The same bytes uploaded again in the tenant return the existing record, with `created` false.
   */
  async upload(scope: Scope, target: UploadTarget, openFile: (maxSize: number) => Promise<UploadFile | undefined>): Promise<{ record: MediaRecord; created: boolean }> {
    const limits = this.uploadLimits(scope.actor, target, scope.tenant);
    const tenantId = await this.store.tenantIdFor(scope);
    const file = await openFile(limits.maxSize);
    if (!file) throw new DataError('invalid_body', 'The request holds no file', [{ field: limits.field, detail: 'is required: send the file as a part of a multipart/form-data body' }]);
    let type = 'application/octet-stream';
    const stored = await this.blobs.put(
      checkedWhileStreaming(file.stream, limits, (t) => {
        type = t;
      }),
    );
    let width: number | null = null;
    let height: number | null = null;
    if (RASTER_TYPES.has(type)) {
      try {
        const meta = await sharp(await readAll((await this.blobs.get(stored.key))!)).metadata();
        ({ width, height } = meta.autoOrient);
      } catch {
        // Nothing else can hold these exact bytes as a valid image, so a blob made just now goes again.
        if (stored.created) await this.blobs.delete(stored.key);
        throw new DataError('invalid_body', `The file starts like ${type} but is not a readable image`, [{ field: limits.field, detail: 'is not a readable image' }]);
      }
    }
    const driver = this.store.driver;
    const db = driver.db;
    const id = newId();
    await db
      .insertInto(MEDIA_TABLE)
      .values({
        id,
        [TENANT_COLUMN]: tenantId,
        sha256: stored.key,
        type,
        size: stored.size,
        width,
        height,
        filename: cleanFilename(file.filename),
        createdAt: driver.encodeTimestamp(new Date().toISOString()),
      })
      .onConflict((oc) => oc.columns([TENANT_COLUMN, 'sha256']).doNothing())
      .execute();
    const row = await db.selectFrom(MEDIA_TABLE).selectAll().where(TENANT_COLUMN, '=', tenantId).where('sha256', '=', stored.key).executeTakeFirstOrThrow();
    const record = decodeMediaRow(row, driver);
    return { record, created: record.id === id };
  }

  /** The path a tenant's file is served at, and the value a media field holds to name it. */
  url(tenant: string, id: string): string {
    return mediaRef(tenant, id);
  }

  async find(scope: Scope, id: string): Promise<MediaRecord> {
    this.#assertReadable(scope.actor, scope.tenant);
    const tenantId = await this.store.tenantIdFor(scope);
    const record = ID_PATTERN.test(id) ? (await findMedia(this.store.driver.db, this.store.driver, tenantId, [id])).get(id) : undefined;
    if (!record) throw notFound(`No uploaded file "${id}"`);
    return record;
  }

  /** The file's bytes, or those of a resized variant made (and kept) on first request. */
  async open(scope: Scope, id: string, request?: VariantRequest): Promise<MediaFile> {
    const record = await this.find(scope, id);
    if (!request) {
      const read = await this.blobs.get(record.sha256);
      if (!read) throw new Error(`media ${record.id}: blob ${record.sha256} is missing from the blob store`);
      return { record, stream: read.stream, size: read.size, type: record.type, etag: `"${record.sha256}"` };
    }
    if (!RASTER_TYPES.has(record.type)) {
      const given = request.width !== undefined ? 'w' : request.height !== undefined ? 'h' : request.fit !== undefined ? 'fit' : 'format';
      throw invalidQuery(given, `resizes images only; this file is ${record.type}`);
    }
    const variant = resolveVariant(request, record.type);
    const key = variantKey(record.sha256, variantName(variant));
    const cached = await this.blobs.get(key);
    const type = FORMAT_TYPES[variant.format];
    if (cached) return { record, stream: cached.stream, size: cached.size, type, etag: `"${key}"`, variant };
    const bytes = await this.#render(record, key, variant);
    return { record, stream: Readable.from(bytes), size: bytes.length, type, etag: `"${key}"`, variant };
  }

  #render(record: MediaRecord, key: string, variant: Variant): Promise<Buffer> {
    let pending = this.#rendering.get(key);
    if (!pending) {
      pending = (async () => {
        const bytes = await renderVariant(async () => {
          const read = await this.blobs.get(record.sha256);
          if (!read) throw new Error(`media ${record.id}: blob ${record.sha256} is missing from the blob store`);
          return readAll(read);
        }, variant);
        await this.blobs.putVariant(key, bytes);
        return bytes;
      })().finally(() => this.#rendering.delete(key));
      this.#rendering.set(key, pending);
    }
    return pending;
  }
}

/**
 * Passes the upload through while holding it to the limits: more than `maxSize` bytes is refused
 * the moment the extra byte arrives, and the type is sniffed from the first bytes and refused
 * before anything past them is stored.
 */
async function* checkedWhileStreaming(source: AsyncIterable<Uint8Array>, limits: UploadLimits, onType: (type: string) => void): AsyncIterable<Uint8Array> {
  let size = 0;
  const head: Uint8Array[] = [];
  let headSize = 0;
  let sniffed = false;
  const sniff = (): Uint8Array => {
    const bytes = Buffer.concat(head);
    const type = sniffType(bytes);
    if (!acceptsType(limits.accept, type)) {
      throw new UploadRefused('type', limits.field, `${limits.field} accepts ${limits.accept!.join(', ')}; this file is ${type}`);
    }
    onType(type);
    sniffed = true;
    return bytes;
  };
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limits.maxSize) throw new UploadRefused('too_large', limits.field, `${limits.field} accepts files of at most ${limits.maxSize} bytes; this file is larger`);
    if (sniffed) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    headSize += chunk.length;
    if (headSize >= SNIFF_BYTES) yield sniff();
  }
  if (size === 0) throw new DataError('invalid_body', 'The file is empty', [{ field: limits.field, detail: 'must not be empty' }]);
  if (!sniffed) yield sniff();
}

/** The client's file name without any path, control characters or quotes; only ever shown, never used as a path. */
function cleanFilename(name: string | undefined): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base.replace(/[\u0000-\u001f\u007f"]/g, '').trim()].slice(0, FILENAME_MAX).join('');
  return clean === '' || clean === '.' || clean === '..' ? null : clean;
}
