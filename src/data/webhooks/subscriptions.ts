// Managing webhook subscriptions: create, list, read, delete, rotate the secret, re-enable after a
// stop, change what is sent, stop by hand, and read the delivery log. Every call is scoped to one tenant, so a tenant's URL never
// reaches another tenant's subscriptions. Only the root token may manage them for now.
import type { Actor } from '../access.ts';
import type { StorageDriver } from '../driver.ts';
import { DataError, invalidQuery, notFound, type FieldProblem } from '../errors.ts';
import type { EventType } from '../events/event-log.ts';
import { newId } from '../ids.ts';
import { SYSTEM_TABLES } from '../model.ts';
import type { Scope } from '../store.ts';
import type { Spec } from '../../spec/schema.ts';
import { ID_PATTERN } from '../../spec/values.ts';
import { newSecret } from './signature.ts';
import { WEBHOOK_TABLES } from './tables.ts';

/**
 * The change types a subscription can filter on: those the store reports to its listeners (a
 * migration's rewrite of every item is not one). The workflow's transition, publish and unpublish
 * are included so that a receiver can follow only what readers see.
 */
export const EVENT_TYPES: readonly string[] = ['create', 'update', 'delete', 'restore', 'transition', 'publish', 'unpublish'];
/** Each subscription adds a job to every matching write, so their number per tenant is bounded. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 50;
export const MAX_URL_LENGTH = 2000;
/** How long the secret before a rotation keeps signing: time for receivers to take the new one. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 3600 * 1000;

export type Subscription = {
  id: string;
  url: string;
  collections: string[] | null;
  events: string[] | null;
  /** The role whose rules shape the payloads (what it may not read is not sent); null: full items. */
  role: string | null;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  /** Set while the secret before the last rotation still signs. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type Delivery = {
  messageId: string;
  event: string;
  attempt: number;
  status: 'succeeded' | 'failed' | 'skipped';
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
  at: string;
  nextAttemptAt: string | null;
};

type Row = Record<string, unknown>;
const ts = (driver: StorageDriver, raw: unknown) => (raw === null || raw === undefined ? null : driver.decodeTimestamp(raw));

export function decodeSubscription(driver: StorageDriver, r: Row): Subscription {
  return {
    id: r.id as string,
    url: r.url as string,
    collections: r.collections === null ? null : (JSON.parse(r.collections as string) as string[]),
    events: r.events === null ? null : (JSON.parse(r.events as string) as string[]),
    role: (r.role as string | null | undefined) ?? null,
    enabled: r.disabledAt === null,
    disabledAt: ts(driver, r.disabledAt),
    disabledReason: (r.disabledReason as string | null) ?? null,
    consecutiveFailures: Number(r.consecutiveFailures),
    previousSecretExpiresAt: ts(driver, r.previousSecretExpiresAt),
    createdAt: driver.decodeTimestamp(r.createdAt),
    updatedAt: driver.decodeTimestamp(r.updatedAt),
  };
}

/** Whether a change of this collection and type goes to the subscription. */
export function matches(s: Pick<Subscription, 'collections' | 'events'>, collection: string, type: EventType): boolean {
  return (s.collections === null || s.collections.includes(collection)) && (s.events === null || s.events.includes(type));
}

/** The secrets that sign a delivery made now: the current one, and the previous one during its grace. */
export function activeSecrets(driver: StorageDriver, r: Row, now: Date): string[] {
  const secrets = [r.secret as string];
  const expires = ts(driver, r.previousSecretExpiresAt);
  if (r.previousSecret && expires && Date.parse(expires) > now.getTime()) secrets.push(r.previousSecret as string);
  return secrets;
}

export function checkUrl(url: unknown): FieldProblem | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return { field: 'url', detail: `must be a URL of at most ${MAX_URL_LENGTH} characters` };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { field: 'url', detail: 'is not a valid absolute URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { field: 'url', detail: `must use http or https, not ${u.protocol.replace(/:$/, '')}` };
  // Credentials in a URL would be stored and listed in clear; a receiver can check the signature instead.
  if (u.username || u.password) return { field: 'url', detail: 'must not contain a user name or password' };
  return undefined;
}

export class WebhookSubscriptions {
  readonly #driver: StorageDriver;
  readonly #spec: Spec;
  // Tenants are never renamed or removed, so slug → id can be cached.
  readonly #tenantIds = new Map<string, string>();

  constructor(store: { driver: StorageDriver; spec: Spec }) {
    this.#driver = store.driver;
    this.#spec = store.spec;
  }

  async create(scope: Scope, input: unknown): Promise<Subscription & { secret: string }> {
    const tenantId = await this.#enter(scope);
    const body = this.#checked(input, false);
    const { collections, events } = body;

    const db = this.#driver.db;
    const count = await db.selectFrom(WEBHOOK_TABLES.subscriptions).select((eb) => eb.fn.countAll().as('n')).where('tenant', '=', tenantId).executeTakeFirst();
    if (Number(count?.n ?? 0) >= MAX_SUBSCRIPTIONS_PER_TENANT) throw new DataError('conflict', `A tenant may have at most ${MAX_SUBSCRIPTIONS_PER_TENANT} webhook subscriptions; delete one first`);
    const now = this.#ts(new Date());
    const secret = newSecret();
    const row = {
      id: newId(),
      tenant: tenantId,
      url: body.url as string,
      collections: collections ? JSON.stringify(collections) : null,
      events: events ? JSON.stringify(events) : null,
      role: body.role ?? null,
      secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    await db.insertInto(WEBHOOK_TABLES.subscriptions).values(row).execute();
    return { ...decodeSubscription(this.#driver, row), secret };
  }

  async list(scope: Scope): Promise<Subscription[]> {
    const tenantId = await this.#enter(scope);
    const rows = await this.#driver.db.selectFrom(WEBHOOK_TABLES.subscriptions).selectAll().where('tenant', '=', tenantId).orderBy('createdAt').orderBy('id').execute();
    return rows.map((r) => decodeSubscription(this.#driver, r));
  }

  async get(scope: Scope, id: string): Promise<Subscription> {
    return decodeSubscription(this.#driver, await this.#row(await this.#enter(scope), id));
  }

  async remove(scope: Scope, id: string): Promise<void> {
    const tenantId = await this.#enter(scope);
    if (!ID_PATTERN.test(id)) throw notFound(`No webhook subscription "${id}"`);
    // Its log goes with it (the foreign key cascades); queued deliveries find it gone and end.
    const r = await this.#driver.db.deleteFrom(WEBHOOK_TABLES.subscriptions).where('tenant', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound(`No webhook subscription "${id}"`);
  }

  /**
   * Changes what a subscription receives and where: the fields given replace the old ones (null for
   * collections, events or role means all / full items again). The secret and the log stay.
   */
  async update(scope: Scope, id: string, input: unknown): Promise<Subscription> {
    const tenantId = await this.#enter(scope);
    await this.#row(tenantId, id);
    const body = this.#checked(input, true);
    const set: Record<string, unknown> = { updatedAt: this.#ts(new Date()) };
    if (body.url !== undefined) set.url = body.url;
    if (body.collections !== undefined) set.collections = body.collections && JSON.stringify(body.collections);
    if (body.events !== undefined) set.events = body.events && JSON.stringify(body.events);
    if (body.role !== undefined) set.role = body.role;
    await this.#driver.db.updateTable(WEBHOOK_TABLES.subscriptions).set(set).where('tenant', '=', tenantId).where('id', '=', id).execute();
    return this.get(scope, id);
  }

  /** Stops deliveries by hand, as a run of failures does; changes made while stopped are not sent. */
  async disable(scope: Scope, id: string): Promise<Subscription> {
    const tenantId = await this.#enter(scope);
    const row = await this.#row(tenantId, id);
    if (row.disabledAt === null) {
      const now = this.#ts(new Date());
      await this.#driver.db
        .updateTable(WEBHOOK_TABLES.subscriptions)
        .set({ disabledAt: now, disabledReason: 'Disabled by an operator', updatedAt: now })
        .where('tenant', '=', tenantId)
        .where('id', '=', id)
        .execute();
    }
    return this.get(scope, id);
  }

  /** A new secret; the current one keeps signing, beside it, for `graceMs`. */
  async rotateSecret(scope: Scope, id: string, graceMs = DEFAULT_ROTATION_GRACE_MS): Promise<Subscription & { secret: string }> {
    const tenantId = await this.#enter(scope);
    const secret = newSecret();
    const now = new Date();
    return this.#driver.db.transaction().execute(async (trx) => {
      const old = await this.#row(tenantId, id, trx);
      await trx
        .updateTable(WEBHOOK_TABLES.subscriptions)
        .set({ secret, previousSecret: old.secret, previousSecretExpiresAt: this.#ts(new Date(now.getTime() + graceMs)), updatedAt: this.#ts(now) })
        .where('id', '=', id)
        .execute();
      return { ...decodeSubscription(this.#driver, await this.#row(tenantId, id, trx)), secret };
    });
  }

  /** Resumes deliveries after a stop; changes from the time it was stopped are not sent. */
  async enable(scope: Scope, id: string): Promise<Subscription> {
    const tenantId = await this.#enter(scope);
    await this.#row(tenantId, id);
    await this.#driver.db
      .updateTable(WEBHOOK_TABLES.subscriptions)
      .set({ disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null, updatedAt: this.#ts(new Date()) })
      .where('tenant', '=', tenantId)
      .where('id', '=', id)
      .execute();
    return this.get(scope, id);
  }

  /** The delivery log, newest first; `cursor` continues after the last entry of the previous page. */
  async deliveries(scope: Scope, id: string, options: { limit?: number; cursor?: string } = {}): Promise<{ data: Delivery[]; meta: { next_cursor: string | null } }> {
    const tenantId = await this.#enter(scope);
    await this.#row(tenantId, id);
    const limit = options.limit ?? 50;
    let q = this.#driver.db.selectFrom(WEBHOOK_TABLES.deliveries).selectAll().where('webhook', '=', id).orderBy('seq', 'desc').limit(limit + 1);
    if (options.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(options.cursor)) throw invalidQuery('cursor', 'must be the next_cursor of an earlier page');
      q = q.where('seq', '<', Number(options.cursor));
    }
    const rows = await q.execute();
    const page = rows.slice(0, limit);
    return {
      data: page.map((r) => ({
        messageId: r.messageId as string,
        event: r.event as string,
        attempt: Number(r.attempt),
        status: r.status as Delivery['status'],
        statusCode: r.statusCode === null ? null : Number(r.statusCode),
        durationMs: r.durationMs === null ? null : Number(r.durationMs),
        error: (r.error as string | null) ?? null,
        at: this.#driver.decodeTimestamp(r.at),
        nextAttemptAt: ts(this.#driver, r.nextAttemptAt),
      })),
      meta: { next_cursor: rows.length > limit ? String(page[page.length - 1].seq) : null },
    };
  }

  #ts(d: Date): unknown {
    return this.#driver.encodeTimestamp(d.toISOString());
  }

  /** The fields of a create (url required) or update (every field optional) body, or a 422 naming each bad one. */
  #checked(input: unknown, partial: boolean): { url?: string; collections?: string[] | null; events?: string[] | null; role?: string | null } {
    const body = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
    const problems: FieldProblem[] = [];
    const urlProblem = partial && body.url === undefined ? undefined : checkUrl(body.url);
    if (urlProblem) problems.push(urlProblem);
    const collections = this.#list(body.collections, 'collections', Object.keys(this.#spec.collections), 'a collection of this app', problems);
    const events = this.#list(body.events, 'events', EVENT_TYPES, 'an event type', problems);
    const roles = ['public', ...Object.keys(this.#spec.roles ?? {}).filter((r) => r !== 'public')];
    if (body.role !== undefined && body.role !== null && (typeof body.role !== 'string' || !roles.includes(body.role))) problems.push({ field: 'role', detail: `must be one of the spec's roles: ${roles.join(', ')}` });
    for (const k of Object.keys(body)) if (!['url', 'collections', 'events', 'role'].includes(k)) problems.push({ field: k, detail: 'is not a field of a webhook subscription' });
    if (problems.length) throw new DataError('invalid_body', 'The webhook subscription has invalid fields', problems);
    const given = (k: string) => !partial || body[k] !== undefined;
    return {
      ...(given('url') && { url: body.url as string }),
      ...(given('collections') && { collections }),
      ...(given('events') && { events }),
      ...(given('role') && { role: (body.role as string | null | undefined) ?? null }),
    };
  }

  #list(value: unknown, field: string, allowed: readonly string[], what: string, problems: FieldProblem[]): string[] | null {
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
      problems.push({ field, detail: `must be a non-empty list of names, or left out to mean all` });
      return null;
    }
    value.forEach((v: string, i) => {
      if (!allowed.includes(v)) problems.push({ field: `${field}.${i}`, detail: `"${v}" is not ${what}; use one of: ${allowed.join(', ')}` });
    });
    return [...new Set(value as string[])];
  }

  async #row(tenantId: string, id: string, db = this.#driver.db): Promise<Row> {
    const row = ID_PATTERN.test(id) ? await db.selectFrom(WEBHOOK_TABLES.subscriptions).selectAll().where('tenant', '=', tenantId).where('id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw notFound(`No webhook subscription "${id}"`);
    return row;
  }

  /** Only the root token manages webhooks; then the tenant must exist. */
  async #enter(scope: Scope): Promise<string> {
    requireRoot(scope.actor);
    const cached = this.#tenantIds.get(scope.tenant);
    if (cached) return cached;
    const row = await this.#driver.db.selectFrom(SYSTEM_TABLES.tenants).select('id').where('slug', '=', scope.tenant).executeTakeFirst();
    if (!row) throw notFound(`No tenant "${scope.tenant}"`);
    this.#tenantIds.set(scope.tenant, row.id as string);
    return row.id as string;
  }
}

export function requireRoot(actor: Actor): void {
  if (actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Managing webhooks needs the root token');
  if (actor.kind !== 'root') throw new DataError('forbidden', 'Only the root token may manage webhooks');
}
