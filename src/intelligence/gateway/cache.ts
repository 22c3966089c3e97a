// The response cache, keyed by content: a SHA-256 over everything that decides a model's answer
// (provider, model, prompt version and its text hash, the rendered and redacted messages, the schema
// and the request parameters), plus the user for per-user memoization. The tenant is in the key
// too: tenants never share entries, so one cannot learn from a hit what another asked, nor spend
// another's budget. Answers are stored redacted,
// as the model gave them; each hit is restored with the calling request's own redactions.
import type { StorageDriver } from '../../data/driver.ts';
import { AI_TABLES } from '../../data/ai/ai-tables.ts';
import type { ChatMessage } from './model-provider.ts';
import { sha256 } from './storage/content-blobs.ts';

export type CacheKeyParts = {
  tenant: string;
  provider: string;
  model: string;
  prompt: string;
  version: string;
  promptHash: string;
  messages: readonly ChatMessage[];
  schema: Record<string, unknown>;
  parameters: Record<string, unknown>;
  /** Per-user memoization: only this user's calls share the entry. */
  user?: string;
};

export type CacheEntry = { outputHash: string; responseModel: string };

/** Stable JSON: object keys sorted, so the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function cacheKey(parts: CacheKeyParts): string {
  return sha256(canonical({ ...parts, user: parts.user ?? null }));
}

export class ResponseCache {
  readonly #driver: StorageDriver;

  constructor(driver: StorageDriver) {
    this.#driver = driver;
  }

  async get(key: string, now: Date): Promise<CacheEntry | undefined> {
    const row = await this.#driver.db
      .selectFrom(AI_TABLES.cache)
      .select(['outputHash', 'responseModel'])
      .where('key', '=', key)
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', this.#driver.encodeTimestamp(now.toISOString()))]))
      .executeTakeFirst();
    return row ? { outputHash: row.outputHash as string, responseModel: row.responseModel as string } : undefined;
  }

  /** `ttlMs` undefined: kept until the content changes (a new prompt version or input is a new key). */
  async put(key: string, entry: CacheEntry, now: Date, ttlMs?: number): Promise<void> {
    const expiresAt = ttlMs === undefined ? null : this.#driver.encodeTimestamp(new Date(now.getTime() + ttlMs).toISOString());
    const values = { ...entry, expiresAt, createdAt: this.#driver.encodeTimestamp(now.toISOString()) };
    await this.#driver.db
      .insertInto(AI_TABLES.cache)
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values))
      .execute();
  }
}
