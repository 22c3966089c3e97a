// Prompts and answers stored under their SHA-256: the same text is kept once however often it is
// sent, and a call row names exactly what was sent and received by hash.
import { createHash } from 'node:crypto';
import type { AnyDB, StorageDriver } from '../../../data/driver.ts';
import { AI_TABLES } from '../../../data/ai/ai-tables.ts';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function putBlob(db: AnyDB, driver: StorageDriver, content: string, now: Date): Promise<string> {
  const hash = sha256(content);
  await db
    .insertInto(AI_TABLES.blobs)
    .values({ hash, content, createdAt: driver.encodeTimestamp(now.toISOString()) })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
  return hash;
}

export async function getBlob(db: AnyDB, hash: string): Promise<string | undefined> {
  const row = await db.selectFrom(AI_TABLES.blobs).select('content').where('hash', '=', hash).executeTakeFirst();
  return row ? (row.content as string) : undefined;
}
