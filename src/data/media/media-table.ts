// The media table: one row per distinct file a tenant uploaded. The bytes live in the blob store
// under `sha256`; a unique (tenant, sha256) key makes the same bytes uploaded twice in a tenant one
// record, and `(tenant, id)` lookups keep every read inside the tenant.
import { sql } from 'kysely';
import type { AnyDB, StorageDriver } from '../driver.ts';
import { SYSTEM_TABLES, TENANT_COLUMN, constraintName } from '../model.ts';

export const MEDIA_TABLE = SYSTEM_TABLES.media;

export type MediaRecord = {
  id: string;
  sha256: string;
  /** Sniffed from the content, never taken from the client. */
  type: string;
  size: number;
  /** Images only, as displayed (EXIF orientation applied). */
  width: number | null;
  height: number | null;
  /** As the client named it, for Content-Disposition; never used as a path. */
  filename: string | null;
  createdAt: string;
};

export async function createMediaTable(trx: AnyDB, driver: StorageDriver): Promise<void> {
  await trx.schema
    .createTable(MEDIA_TABLE)
    .ifNotExists()
    .addColumn('id', sql.raw(driver.idType), (c) => c.primaryKey())
    .addColumn(TENANT_COLUMN, sql.raw(driver.idType), (c) => c.notNull().references(`${SYSTEM_TABLES.tenants}.id`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('filename', 'text')
    .addColumn('createdAt', sql.raw(driver.timestampType), (c) => c.notNull())
    .addUniqueConstraint(constraintName('uq', MEDIA_TABLE, 'sha256'), [TENANT_COLUMN, 'sha256'])
    .addUniqueConstraint(constraintName('tid', MEDIA_TABLE), [TENANT_COLUMN, 'id'])
    .execute();
}

export function decodeMediaRow(row: Record<string, unknown>, driver: StorageDriver): MediaRecord {
  const int = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: row.id as string,
    sha256: row.sha256 as string,
    type: row.type as string,
    // PostgreSQL returns bigint as a string.
    size: Number(row.size),
    width: int(row.width),
    height: int(row.height),
    filename: (row.filename as string | null) ?? null,
    createdAt: driver.decodeTimestamp(row.createdAt),
  };
}

export async function findMedia(db: AnyDB, driver: StorageDriver, tenantId: string, ids: readonly string[]): Promise<Map<string, MediaRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom(MEDIA_TABLE).selectAll().where(TENANT_COLUMN, '=', tenantId).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id as string, decodeMediaRow(r, driver)]));
}
