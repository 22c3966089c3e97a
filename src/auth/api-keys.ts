// API keys for machines: each belongs to one tenant and one role of the spec, is shown once, and is
// stored only as its SHA-256 (256 random bits make a slow hash pointless). Verified keys are kept in
// memory for a minute so a request costs no database read; revoking one drops it at once in this
// process and within that minute everywhere else.
import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../data/access.ts';
import type { StorageDriver } from '../data/driver.ts';
import { API_KEYS_TABLE as TABLE } from '../data/api-key-table.ts';
import { DataError, notFound } from '../data/errors.ts';
import { newId } from '../data/ids.ts';
import type { Store } from '../data/store.ts';
import { ID_PATTERN } from '../spec/values.ts';

export const API_KEY_PREFIX = 'kiln_key_';
const CACHE_MS = 60_000;

export type ApiKey = { id: string; name: string; role: string; createdAt: string; lastFour: string };

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');


export class ApiKeys {
  readonly #store: () => Store;
  readonly #verified = new Map<string, { actor: Actor; until: number }>();

  /** `store` gives the store currently served, whose spec decides which roles exist. */
  constructor(store: () => Store) {
    this.#store = store;
  }

  #toKey(driver: StorageDriver, r: Record<string, unknown>): ApiKey {
    return { id: r.id as string, name: r.name as string, role: r.role as string, createdAt: driver.decodeTimestamp(r.createdAt), lastFour: r.lastFour as string };
  }

  #rootOnly(actor: Actor) {
    if (actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Managing API keys needs the root token');
    if (actor.kind !== 'root') throw new DataError('forbidden', 'Only the root token may manage API keys');
  }

  async create(actor: Actor, tenant: string, input: { name?: unknown; role?: unknown }): Promise<ApiKey & { key: string }> {
    this.#rootOnly(actor);
    const store = this.#store();
    const roles = Object.keys(store.spec.roles ?? {}).filter((r) => r !== 'public');
    const problems = [];
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 100) problems.push({ field: 'name', detail: 'must be a non-empty string of at most 100 characters' });
    if (typeof input.role !== 'string' || !roles.includes(input.role)) problems.push({ field: 'role', detail: roles.length ? `must be one of the spec's roles: ${roles.join(', ')}` : 'the spec defines no roles to grant' });
    if (problems.length) throw new DataError('invalid_body', 'The API key has invalid fields', problems);
    const tenantId = await store.tenantIdFor({ tenant, actor });
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = { id: newId(), tenant: tenantId, name: (input.name as string).trim(), role: input.role as string, hash: digest(key), lastFour: key.slice(-4), createdAt: new Date().toISOString() };
    await store.driver.db.insertInto(TABLE).values({ ...row, createdAt: store.driver.encodeTimestamp(row.createdAt) }).execute();
    return { id: row.id, name: row.name, role: row.role, createdAt: row.createdAt, lastFour: row.lastFour, key };
  }

  async list(actor: Actor, tenant: string): Promise<ApiKey[]> {
    this.#rootOnly(actor);
    const store = this.#store();
    const tenantId = await store.tenantIdFor({ tenant, actor });
    const rows = await store.driver.db.selectFrom(TABLE).selectAll().where('tenant', '=', tenantId).orderBy('createdAt').execute();
    return rows.map((r) => this.#toKey(store.driver, r));
  }

  async revoke(actor: Actor, tenant: string, id: string): Promise<void> {
    this.#rootOnly(actor);
    const store = this.#store();
    const tenantId = await store.tenantIdFor({ tenant, actor });
    const row = ID_PATTERN.test(id) ? await store.driver.db.selectFrom(TABLE).select('hash').where('tenant', '=', tenantId).where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw notFound(`No API key "${id}" in this tenant`);
    await store.driver.db.deleteFrom(TABLE).where('id', '=', id).execute();
    this.#verified.delete(row.hash as string);
  }

  /** The actor a key stands for, or undefined when no such key exists. */
  async verify(token: string): Promise<Actor | undefined> {
    const hash = digest(token);
    const hit = this.#verified.get(hash);
    if (hit && hit.until > Date.now()) return hit.actor;
    const store = this.#store();
    const row = await store.driver.db
      .selectFrom(`${TABLE} as k`)
      .innerJoin('kiln_tenants as t', 't.id', 'k.tenant')
      .select(['k.id as id', 'k.role as role', 't.slug as slug'])
      .where('k.hash', '=', hash)
      .executeTakeFirst();
    if (!row) {
      this.#verified.delete(hash);
      return undefined;
    }
    const actor: Actor = { kind: 'user', id: `key:${row.id as string}`, roles: [row.role as string], tenant: row.slug as string };
    if (this.#verified.size > 10_000) this.#verified.clear();
    this.#verified.set(hash, { actor, until: Date.now() + CACHE_MS });
    return actor;
  }
}
