// The one entry for every content read and write. It resolves the tenant, applies the tenant scope
// to every statement, checks the caller's access, and runs each write as one transaction, so no
// route (or CLI command, or builder) can forget any of them.
import type { Action, Spec } from '../spec/schema.ts';
import { accessOf, actsIn, can, ownerId, rolesOf, type Actor } from './access.ts';
import type { StorageDriver } from './driver.ts';
import { DataError, invalidQuery, notFound } from './errors.ts';
import { searchTerms, type SearchHit, type SearchScope } from './search/search-index.ts';
import { newId } from './ids.ts';
import { SYSTEM_TABLES, TENANT_COLUMN, buildModel, constraintName, type AppModel, type CollectionModel, type View } from './model.ts';
import { collectionsReached, compileFilter, fieldsReached } from './query/filter.ts';
import { afterCursor, decodeCursor, encodeCursor, keysWithId, sortColumnEncoder } from './query/cursor.ts';
import { parseListQuery, parseReadQuery, type ExpandTree, type FieldSelection } from './query/list-query.ts';
import { completeItems, conceal, decodeRow, loadByIds, project, type Executor, type Item, type ReadContext } from './read-items.ts';
import { visibleHits, visibleMatch, visibleSearchable } from './search/visible-search.ts';
import type { SortKey } from '../spec/sort.ts';
import { ensureSchema } from './schema-sync.ts';
import { isSearchable, searchDoc } from './search/search-docs.ts';
import { checkBody, type WriteValues } from './write-values.ts';
import { checkMediaRefs } from './media/media-refs.ts';
import { sql } from 'kysely';
import { DEFAULT_MAX_LENGTH, ID_PATTERN, normalizeDatetime } from '../spec/values.ts';
import { DbQueue } from './queue/db-queue.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { addSchedule, cancelSchedule, listSchedules, type Schedule } from './events/scheduled-transitions.ts';
import { actorName, appendEvent, contentHash, itemEvents, type ContentEvent, type EventType, type NewEvent } from './events/event-log.ts';

export type Scope = { tenant: string; actor: Actor };
export type ChangeListener = (trx: Executor, change: NewEvent & { revision: number }) => Promise<void>;
export type Tenant = { id: string; slug: string; name: string; createdAt: string };
export type ListResult = { data: Item[]; meta: { next_cursor: string | null; total_count?: number } };

export const SINGLE_TENANT_SLUG = 'default';
const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class Store {
  readonly driver: StorageDriver;
  readonly model: AppModel;
  readonly spec: Spec;
  // Tenants are never renamed or removed, so slug → id can be cached for the life of the process.
  readonly #tenantIds = new Map<string, string>();
  readonly #listeners: ChangeListener[] = [];
  /** Background work of this app (scheduled transitions) goes through this queue. */
  readonly queue: JobQueue;

  private constructor(driver: StorageDriver, model: AppModel) {
    this.driver = driver;
    this.queue = new DbQueue(driver);
    this.model = model;
    this.spec = model.spec;
  }

  /** Opens the store on a driver, creating tables on first start and the implicit tenant of a single-tenant app. */
  static async open(driver: StorageDriver, spec: Spec): Promise<Store> {
    const store = new Store(driver, buildModel(spec, driver));
    await ensureSchema(driver, store.model);
    if (spec.tenancy === 'single') {
      await driver.db
        .insertInto(SYSTEM_TABLES.tenants)
        .values({ id: newId(), slug: SINGLE_TENANT_SLUG, name: spec.title ?? spec.name, createdAt: driver.encodeTimestamp(new Date().toISOString()) })
        .onConflict((oc) => oc.column('slug').doNothing())
        .execute();
    }
    return store;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  // ---- tenants ----

  async createTenant(actor: Actor, input: { slug?: unknown; name?: unknown }): Promise<Tenant> {
    if (actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Creating a tenant needs the root token');
    if (actor.kind !== 'root') throw new DataError('forbidden', 'Only the root token may create tenants');
    if (this.spec.tenancy === 'single') throw new DataError('conflict', `"${this.spec.name}" is a single-tenant app; its one tenant is "${SINGLE_TENANT_SLUG}"`);
    const problems = [];
    if (typeof input.slug !== 'string' || !TENANT_SLUG.test(input.slug)) problems.push({ field: 'slug', detail: 'must be 1 to 63 lowercase letters, digits and inner hyphens' });
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) problems.push({ field: 'name', detail: 'must be a non-empty string of at most 200 characters' });
    if (problems.length) throw new DataError('invalid_body', 'The tenant has invalid fields', problems);
    const tenant: Tenant = { id: newId(), slug: input.slug as string, name: (input.name as string).trim(), createdAt: new Date().toISOString() };
    try {
      await this.driver.db.insertInto(SYSTEM_TABLES.tenants).values({ ...tenant, createdAt: this.driver.encodeTimestamp(tenant.createdAt) }).execute();
    } catch (e) {
      if (this.driver.violation(e)?.kind === 'unique') throw new DataError('conflict', `A tenant with slug "${tenant.slug}" already exists`, [{ field: 'slug', detail: 'is taken' }]);
      throw e;
    }
    this.#tenantIds.set(tenant.slug, tenant.id);
    return tenant;
  }

  async listTenants(actor: Actor): Promise<Tenant[]> {
    if (actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Listing tenants needs the root token');
    if (actor.kind !== 'root') throw new DataError('forbidden', 'Only the root token may list tenants');
    const rows = await this.driver.db.selectFrom(SYSTEM_TABLES.tenants).selectAll().orderBy('slug').execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: this.driver.decodeTimestamp(r.createdAt) }));
  }

  /** The tenant a request acts in: refused to a caller bound to another one, as if it did not exist. */
  async tenantIdFor(scope: Scope): Promise<string> {
    if (!actsIn(scope.actor, scope.tenant)) throw notFound(`No tenant "${scope.tenant}"`);
    return this.#tenantId(scope.tenant);
  }

  async #tenantId(slug: string): Promise<string> {
    const cached = this.#tenantIds.get(slug);
    if (cached) return cached;
    if (!TENANT_SLUG.test(slug)) throw notFound(`No tenant "${slug}"`);
    const row = await this.driver.db.selectFrom(SYSTEM_TABLES.tenants).select('id').where('slug', '=', slug).executeTakeFirst();
    if (!row) throw notFound(`No tenant "${slug}"`);
    this.#tenantIds.set(slug, row.id as string);
    return row.id as string;
  }

  // ---- access ----

  #collection(name: string): CollectionModel {
    const cm = this.model.collections.get(name);
    if (!cm) throw notFound(`No collection "${name}"; collections are ${[...this.model.collections.keys()].join(', ')}`);
    return cm;
  }

  /**
   * Throws unless the actor may take the action on the collection (for early checks; every store
   * call checks again). Without a tenant, a person's roles in all their tenants count.
   */
  authorize(actor: Actor, action: Action, collection: string, tenant?: string): void {
    this.#authorize(actor, action, collection, tenant);
  }

  /**
   * Throws unless the caller may take `action` on this one item — grant, tenant and "own" rule —
   * without taking it (for work that only prepares a change, such as an AI suggestion).
   */
  async authorizeItem(scope: Scope, collection: string, id: string, action: 'update' | 'delete'): Promise<void> {
    const { cm, tenantId } = await this.#enter(scope, collection, action);
    await this.#guardOwner(this.driver.db, scope, cm, tenantId, id, action);
  }

  #authorize(actor: Actor, action: Action, collection: string, tenant?: string) {
    if (can(this.spec, actor, action, collection, tenant)) return;
    if (actor.kind === 'anonymous') throw new DataError('unauthenticated', `Sign in to ${action} ${collection}`);
    throw new DataError('forbidden', `You may not ${action} ${collection}`);
  }

  async #enter(scope: Scope, collection: string, action: Action): Promise<{ cm: CollectionModel; tenantId: string }> {
    const cm = this.#collection(collection);
    this.#authorize(scope.actor, action, collection, scope.tenant);
    return { cm, tenantId: await this.tenantIdFor(scope) };
  }

  /**
   * What of a collection the actor reads in a tenant: the view (readers without edit rights on a
   * collection with a workflow, and roles with the "published" rule, only ever see its published
   * view) and, with an "own" rule, the creator items must have (null: the caller owns nothing).
   */
  readPlan(actor: Actor, cm: CollectionModel, tenant?: string): { view: View; owner: string | null | undefined } {
    const access = accessOf(this.spec, actor, tenant);
    const rows = access.rows('read', cm.name);
    if (rows === 'published' || (cm.live && access.rows('update', cm.name) === null)) return { view: cm.live ?? cm.working, owner: undefined };
    return { view: cm.working, owner: rows === 'own' ? ownerId(actor) : undefined };
  }

  viewFor(actor: Actor, cm: CollectionModel, tenant?: string): View {
    return this.readPlan(actor, cm, tenant).view;
  }

  /** How reads for this caller look: their views, row rules and hidden fields ("working": the full items, for the log). */
  #readContext(db: Executor, scope: Scope, tenantId: string, views: 'caller' | 'working' = 'caller'): ReadContext {
    const base = { db, driver: this.driver, model: this.model, tenantId };
    if (views === 'working') return { ...base, assertRead: () => {}, viewOf: (cm) => cm.working };
    const access = accessOf(this.spec, scope.actor, scope.tenant);
    return {
      ...base,
      assertRead: (c) => this.#authorize(scope.actor, 'read', c, scope.tenant),
      viewOf: (cm) => this.readPlan(scope.actor, cm, scope.tenant).view,
      ownerOf: (cm) => this.readPlan(scope.actor, cm, scope.tenant).owner,
      hiddenOf: (cm) => access.hidden(cm.name),
    };
  }

  /** Refuses query parameters that would read a field hidden from the caller. */
  #checkVisible(scope: Scope, cm: CollectionModel, q: { expand: ExpandTree; fields: FieldSelection; sort?: SortKey[] }) {
    const access = accessOf(this.spec, scope.actor, scope.tenant);
    const refuse = (param: string, c: CollectionModel, f: string) => invalidQuery(param, `"${f}" is not a field of ${c.name} that you may read`);
    for (const k of q.sort ?? []) if (access.hidden(cm.name).has(k.field)) throw refuse('sort', cm, k.field);
    const walk = (c: CollectionModel, expand: ExpandTree | undefined, sel: FieldSelection) => {
      const hidden = access.hidden(c.name);
      for (const name of sel?.own ?? []) if (hidden.has(name)) throw refuse('fields', c, name);
      const names = new Set([...(expand?.keys() ?? []), ...(sel?.nested.keys() ?? [])]);
      for (const name of names) {
        if (hidden.has(name)) throw refuse(expand?.has(name) ? 'expand' : 'fields', c, name);
        const target = this.model.collections.get((c.fields.get(name)!.field as { to: string }).to)!;
        walk(target, expand?.get(name), sel?.nested.get(name));
      }
    };
    walk(cm, q.expand, q.fields);
  }

  /** The item as this caller may see it: a copy without its hidden fields (the original goes to the log). */
  #shown(scope: Scope, cm: CollectionModel, item: Item): Item {
    const hidden = accessOf(this.spec, scope.actor, scope.tenant).hidden(cm.name);
    return hidden.size ? conceal({ ...item }, hidden) : item;
  }

  /** A write naming a field the caller's roles may not write is refused, naming each such field. */
  #guardReadOnly(scope: Scope, cm: CollectionModel, body: unknown, action: 'create' | 'update') {
    if (typeof body !== 'object' || body === null) return;
    const readOnly = accessOf(this.spec, scope.actor, scope.tenant).readOnly(action, cm.name);
    const named = Object.keys(body).filter((k) => readOnly.has(k));
    if (named.length) throw new DataError('forbidden', `Your role may not write ${named.map((n) => `"${n}"`).join(', ')} of ${cm.name} items`, named.map((field) => ({ field, detail: 'is read-only for your role' })));
  }

  /**
   * With an "own" rule for the action, only the item's creator may take it. Someone else's item is a
   * 403 when the caller may read it, and a 404 when they may not even see it (an "own" read rule).
   */
  async #guardOwner(trx: Executor, scope: Scope, cm: CollectionModel, tenantId: string, id: string, action: 'update' | 'delete') {
    if (accessOf(this.spec, scope.actor, scope.tenant).rows(action, cm.name) !== 'own') return;
    const row = await trx.selectFrom(cm.table).select('createdBy').where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst();
    const me = ownerId(scope.actor);
    if (row && me !== null && row.createdBy === me) return;
    if (!row || this.readPlan(scope.actor, cm, scope.tenant).owner !== undefined) throw notFound(`No ${cm.name} item "${id}"`);
    throw new DataError('forbidden', `Your role may ${action} only the ${cm.name} items you created`);
  }

  // ---- reads ----

  async list(scope: Scope, collection: string, rawQuery: Record<string, unknown> = {}): Promise<ListResult> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'read');
    const q = parseListQuery(rawQuery, cm, this.model);
    this.#checkVisible(scope, cm, q);
    const access = accessOf(this.spec, scope.actor, scope.tenant);
    const keys = keysWithId(q.sort);
    const { view, owner } = this.readPlan(scope.actor, cm, scope.tenant);
    const t = view.table;
    let query = this.driver.db.selectFrom(t).selectAll(t).where(`${t}.${TENANT_COLUMN}`, '=', tenantId);
    if (owner !== undefined) query = owner === null ? query.where((eb) => eb.lit(false)) : query.where(`${t}.createdBy`, '=', owner);
    if (q.filter) {
      const filter = q.filter;
      // A filter along a relation reveals the related items' values, so it needs read access there too.
      for (const c of collectionsReached(filter)) this.#authorize(scope.actor, 'read', c, scope.tenant);
      for (const { collection: c, field } of fieldsReached(filter, cm)) {
        if (access.hidden(c.name).has(field)) throw invalidQuery('filter', `"${field}" is not a field of ${c.name} that you may read`);
      }
      const plan = (c: CollectionModel) => this.readPlan(scope.actor, c, scope.tenant);
      query = query.where((eb) => compileFilter(eb, filter, cm, { tenantId, driver: this.driver, viewOf: (c) => plan(c).view, ownerOf: (c) => plan(c).owner }));
    }
    if (q.search) {
      const terms = q.search;
      const hidden = access.hidden(cm.name);
      const visible = visibleSearchable(cm, hidden);
      if (visible.length === 0) throw invalidQuery('search', `${cm.name} has no searchable fields that you may read`);
      // The index mixes every searchable field; with some hidden, only the visible ones are matched.
      if ([...cm.fields.values()].some((fm) => fm.field.searchable && hidden.has(fm.name))) query = query.where((eb) => visibleMatch(eb, this.driver, t, visible, terms));
      else query = query.where((eb) => this.driver.search.matching(eb, `${t}.id`, tenantId, cm.name, terms, view.kind));
    }
    const countQuery = query;
    if (q.cursor !== undefined) {
      const values = decodeCursor(q.cursor, keys, cm);
      query = query.where((eb) => afterCursor(eb, t, keys, values, sortColumnEncoder(cm, this.driver)));
    }
    for (const k of keys) {
      const nullable = k.field === 'createdBy' || k.field === 'updatedBy' || (k.field !== 'id' && k.field !== 'createdAt' && k.field !== 'updatedAt' && !cm.fields.get(k.field)!.field.required);
      query = query.orderBy(`${t}.${k.field}`, (ob) => {
        const dir = k.desc ? ob.desc() : ob.asc();
        return nullable ? (k.desc ? dir.nullsLast() : dir.nullsFirst()) : dir;
      });
    }
    const rows = await query.limit(q.limit + 1).offset(q.offset).execute();
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map((r) => decodeRow(cm, r, this.driver));
    const next = more ? encodeCursor(keys, items[items.length - 1]) : null;
    await completeItems(this.#readContext(this.driver.db, scope, tenantId), cm, items, q.expand, q.fields);
    const hidden = access.hidden(cm.name);
    for (const item of items) conceal(item, hidden);
    const meta: ListResult['meta'] = { next_cursor: next };
    if (q.totalCount) {
      const row = await countQuery.clearSelect().select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      meta.total_count = Number(row?.n ?? 0);
    }
    return { data: q.fields ? items.map((i) => project(i, q.fields)) : items, meta };
  }

  async get(scope: Scope, collection: string, id: string, rawQuery: Record<string, unknown> = {}): Promise<Item> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'read');
    const q = parseReadQuery(rawQuery, cm, this.model);
    this.#checkVisible(scope, cm, q);
    const item = ID_PATTERN.test(id) ? (await loadByIds(this.#readContext(this.driver.db, scope, tenantId), cm, [id], q.expand, q.fields)).get(id) : undefined;
    if (!item) throw notFound(`No ${collection} item "${id}"`);
    return item;
  }

  /** Full-text search across the collections the caller may read, best matches first. */
  async search(scope: Scope, q: string, options: { collections?: string[]; limit?: number } = {}): Promise<SearchHit[]> {
    const tenantId = await this.tenantIdFor(scope);
    const terms = searchTerms(q);
    if (terms.length === 0) throw invalidQuery('q', 'needs at least one word');
    const names = options.collections ?? [...this.model.collections.keys()];
    for (const n of names) if (!this.model.collections.has(n)) throw invalidQuery('collections', `"${n}" is not a collection`);
    const access = accessOf(this.spec, scope.actor, scope.tenant);
    // A caller who may read nothing in this tenant is refused, as a list would be, not answered "no hits".
    if (names.length && !names.some((n) => access.rows('read', n) !== null)) {
      if (scope.actor.kind === 'anonymous') throw new DataError('unauthenticated', 'Sign in to search this tenant');
      throw new DataError('forbidden', 'You may not read any collection this search covers');
    }
    const readable = names.filter((n) => isSearchable(this.model.collections.get(n)!) && access.rows('read', n) !== null);
    if (options.collections && readable.length < names.length) {
      const n = names.find((x) => !readable.includes(x))!;
      if (!isSearchable(this.model.collections.get(n)!)) throw invalidQuery('collections', `${n} has no searchable fields`);
      this.#authorize(scope.actor, 'read', n, scope.tenant);
    }
    const limit = options.limit ?? 20;
    const scopes: SearchScope[] = [];
    const restricted: Promise<SearchHit[]>[] = [];
    for (const n of readable) {
      const cm = this.model.collections.get(n)!;
      const { view, owner } = this.readPlan(scope.actor, cm, scope.tenant);
      if (owner === null) continue;
      const hidden = access.hidden(n);
      if ([...cm.fields.values()].some((fm) => fm.field.searchable && hidden.has(fm.name))) {
        const visible = visibleSearchable(cm, hidden);
        if (visible.length) restricted.push(visibleHits(this.driver.db, this.driver, cm, view, tenantId, terms, visible, owner, limit));
        continue;
      }
      scopes.push({ collection: n, view: view.kind, ...(owner !== undefined && { owned: { table: view.table, by: owner } }) });
    }
    const hits = await this.driver.search.query(this.driver.db, tenantId, scopes, terms, limit);
    for (const more of await Promise.all(restricted)) hits.push(...more);
    return hits.slice(0, limit);
  }

  // ---- writes ----

  async create(scope: Scope, collection: string, body: unknown): Promise<Item> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'create');
    this.#guardReadOnly(scope, cm, body, 'create');
    const now = new Date().toISOString();
    const values = checkBody(cm, body, 'create', now);
    this.#guardState(scope.actor, cm, values, 'create');
    const id = newId();
    return this.#write(cm, async (trx) => {
      await this.#deriveSlugs(trx, cm, tenantId, values);
      await this.#checkTargets(trx, cm, tenantId, values);
      await checkMediaRefs(trx, this.driver, cm, { id: tenantId, slug: scope.tenant }, values);
      const by = ownerId(scope.actor);
      const row: Record<string, unknown> = { id, [TENANT_COLUMN]: tenantId, createdAt: this.driver.encodeTimestamp(now), updatedAt: this.driver.encodeTimestamp(now), createdBy: by, updatedBy: by };
      for (const [name, v] of values.columns) row[name] = v === null ? null : cm.fields.get(name)!.encode(v);
      await trx.insertInto(cm.table).values(row).execute();
      await this.#writeLinks(trx, cm, tenantId, id, values.lists);
      const item = await this.#recorded(trx, scope, cm, tenantId, id, 'create', now);
      if (cm.live && item[cm.live.workflow.field] === cm.live.workflow.publish) await this.#publish(trx, scope, cm, tenantId, item, now);
      return this.#shown(scope, cm, item);
    });
  }

  async update(scope: Scope, collection: string, id: string, body: unknown): Promise<Item> {
    return this.#update(scope, collection, id, body, 'update');
  }

  async #update(scope: Scope, collection: string, id: string, body: unknown, type: 'update' | 'restore'): Promise<Item> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'update');
    this.#guardReadOnly(scope, cm, body, 'update');
    const now = new Date().toISOString();
    const values = checkBody(cm, body, 'update', now);
    if (!ID_PATTERN.test(id)) throw notFound(`No ${collection} item "${id}"`);
    if (type === 'restore' && cm.live) values.columns.delete(cm.live.workflow.field);
    this.#guardState(scope.actor, cm, values, 'update');
    return this.#write(cm, async (trx) => {
      await this.#guardOwner(trx, scope, cm, tenantId, id, 'update');
      await this.#checkTargets(trx, cm, tenantId, values);
      await checkMediaRefs(trx, this.driver, cm, { id: tenantId, slug: scope.tenant }, values);
      const wf = cm.live?.workflow;
      const before = wf && values.columns.has(wf.field) ? await trx.selectFrom(cm.table).select(wf.field).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst() : undefined;
      const set: Record<string, unknown> = { updatedAt: this.driver.encodeTimestamp(now), updatedBy: ownerId(scope.actor) };
      for (const [name, v] of values.columns) set[name] = v === null ? null : cm.fields.get(name)!.encode(v);
      const r = await trx.updateTable(cm.table).set(set).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound(`No ${collection} item "${id}"`);
      await this.#writeLinks(trx, cm, tenantId, id, values.lists, true);
      const item = await this.#recorded(trx, scope, cm, tenantId, id, type, now);
      // Editing a published item changes only its draft; only a state change (root may set it directly) moves the live view.
      if (wf && before && before[wf.field] !== item[wf.field]) {
        if (item[wf.field] === wf.publish) await this.#publish(trx, scope, cm, tenantId, item, now);
        else if (before[wf.field] === wf.publish) await this.#unpublish(trx, scope, cm, tenantId, id, now);
      }
      return this.#shown(scope, cm, item);
    });
  }

  async remove(scope: Scope, collection: string, id: string): Promise<void> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'delete');
    if (!ID_PATTERN.test(id)) throw notFound(`No ${collection} item "${id}"`);
    await this.#write(cm, async (trx) => {
      await this.#guardOwner(trx, scope, cm, tenantId, id, 'delete');
      for (const ref of cm.referencedBy) {
        const other = this.model.collections.get(ref.collection)!;
        for (const view of other.live ? [other.working, other.live] : [other.working]) {
          const used = await trx.selectFrom(view.table).select('id').where(TENANT_COLUMN, '=', tenantId).where(ref.field, '=', id).limit(1).executeTakeFirst();
          if (used) {
            const where = view.kind === 'live' ? `the published version of ${ref.collection}.${ref.field}` : `${ref.collection}.${ref.field}`;
            throw new DataError('conflict', `This ${collection} item is still referenced by ${where}; change or delete those items first`, [{ field: `${ref.collection}.${ref.field}`, detail: 'references this item' }]);
          }
        }
      }
      if (cm.live) await trx.deleteFrom(cm.live.table).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).execute();
      // Items that list this one lose it from their lists (the join rows cascade); their new state is logged too.
      const listing: { cm: CollectionModel; ids: string[] }[] = [];
      for (const ref of cm.listedBy) {
        const other = this.model.collections.get(ref.collection)!;
        const rows = await trx.selectFrom(other.fields.get(ref.field)!.joinTable!).select('source').where(TENANT_COLUMN, '=', tenantId).where('target', '=', id).execute();
        if (rows.length) listing.push({ cm: other, ids: rows.map((r) => r.source as string) });
      }
      const r = await trx.deleteFrom(cm.table).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound(`No ${collection} item "${id}"`);
      const now = new Date().toISOString();
      await this.#record(trx, { tenantId, collection, itemId: id, type: 'delete', actor: actorName(scope.actor), at: now, data: null });
      if (isSearchable(cm)) await this.driver.search.remove(trx, collection, id);
      for (const l of listing) {
        const items = await loadByIds(this.#readContext(trx, scope, tenantId, 'working'), l.cm, [...new Set(l.ids)], new Map(), undefined);
        for (const item of items.values()) {
          await this.#record(trx, { tenantId, collection: l.cm.name, itemId: item.id as string, type: 'update', actor: actorName(scope.actor), at: now, data: item });
        }
      }
    });
  }

  // ---- revisions ----

  async #events(scope: Scope, collection: string, id: string): Promise<{ cm: CollectionModel; tenantId: string; events: ContentEvent[] }> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'read');
    // Revisions hold drafts, which readers of a collection with a workflow never see.
    const plan = this.readPlan(scope.actor, cm, scope.tenant);
    if (cm.live) {
      this.#authorize(scope.actor, 'update', collection, scope.tenant);
      if (plan.view.kind === 'live') throw new DataError('forbidden', `Your role reads only the published ${collection} items, not their revisions`);
    }
    const events = ID_PATTERN.test(id) ? await itemEvents(this.driver.db, this.driver, tenantId, id) : [];
    // With an "own" read rule, the history of an item is its creator's: the first event names them.
    if (events.length === 0 || (plan.owner !== undefined && (plan.owner === null || events[0].actor !== actorName(scope.actor)))) throw notFound(`No ${collection} item "${id}"`);
    const hidden = accessOf(this.spec, scope.actor, scope.tenant).hidden(collection);
    if (hidden.size) for (const e of events) if (e.data) e.data = conceal({ ...e.data }, hidden);
    return { cm, tenantId, events };
  }

  /** Every revision of an item, oldest first, without the content. */
  async revisions(scope: Scope, collection: string, id: string): Promise<Omit<ContentEvent, 'data'>[]> {
    const { events } = await this.#events(scope, collection, id);
    return events.map(({ data: _data, ...e }) => e);
  }

  async revision(scope: Scope, collection: string, id: string, revision: number): Promise<ContentEvent> {
    const { events } = await this.#events(scope, collection, id);
    const e = events.find((x) => x.revision === revision);
    if (!e) throw notFound(`${collection} item "${id}" has no revision ${revision}; it has 1 to ${events.length}`);
    return e;
  }

  /** Field-by-field differences between two revisions of an item. */
  async diffRevisions(scope: Scope, collection: string, id: string, from: number, to: number): Promise<{ field: string; before: unknown; after: unknown }[]> {
    const a = await this.revision(scope, collection, id, from);
    const b = await this.revision(scope, collection, id, to);
    const fields = new Set([...Object.keys(a.data ?? {}), ...Object.keys(b.data ?? {})]);
    const out = [];
    for (const f of fields) {
      if (f === 'updatedAt') continue;
      const before = a.data?.[f] ?? null;
      const after = b.data?.[f] ?? null;
      if (contentHash(before) !== contentHash(after)) out.push({ field: f, before, after });
    }
    return out;
  }

  /** Makes an earlier revision's content the current one, as a new revision. Fields the spec no longer has are left out. */
  async restore(scope: Scope, collection: string, id: string, revision: number): Promise<Item> {
    const e = await this.revision(scope, collection, id, revision);
    if (e.data === null) throw new DataError('conflict', `Revision ${revision} records no content (a deletion or an unpublish); restore another one`);
    const cm = this.#collection(collection);
    // Fields the caller may not write keep their current values.
    const readOnly = accessOf(this.spec, scope.actor, scope.tenant).readOnly('update', collection);
    const body = Object.fromEntries(Object.entries(e.data).filter(([k]) => cm.fields.has(k) && !readOnly.has(k)));
    return this.#update(scope, collection, id, body, 'restore');
  }

  async #write<T>(cm: CollectionModel, work: (trx: Executor) => Promise<T>): Promise<T> {
    try {
      return await this.driver.db.transaction().execute(work);
    } catch (e) {
      throw this.#translate(cm, e);
    }
  }

  #translate(cm: CollectionModel, e: unknown): unknown {
    const v = this.driver.violation(e);
    if (!v) return e;
    if (v.kind === 'unique') {
      const field = [...cm.fields.keys()].find((f) => v.columns?.at(-1) === f || v.constraint === constraintName('uq', cm.table, f));
      return new DataError('conflict', `Another ${cm.name} item already has this ${field ?? 'value'}`, [{ field: field ?? '', detail: 'must be unique within the tenant, and this value is taken' }]);
    }
    if (v.kind === 'foreign_key') return new DataError('conflict', 'The write conflicts with a relation between items; a related item was changed at the same time');
    if (v.kind === 'retry') return new DataError('conflict', 'The database was busy with a conflicting change (such as a migration); try again');
    if (v.kind === 'value') return new DataError('invalid_body', 'A value cannot be stored: it is out of range or holds a character the database refuses');
    return new DataError('invalid_body', 'The item breaks a constraint of the collection', v.columns?.map((c) => ({ field: c, detail: 'is required' })) ?? []);
  }

  // ---- workflow ----

  /** Only the root token sets a workflow state directly; everyone else goes through `transition`. */
  #guardState(actor: Actor, cm: CollectionModel, values: WriteValues, mode: 'create' | 'update') {
    const wf = cm.live?.workflow;
    if (!wf || actor.kind === 'root' || !values.columns.has(wf.field)) return;
    const initial = (cm.fields.get(wf.field)!.field as { default?: unknown }).default;
    if (mode === 'create' && values.columns.get(wf.field) === initial) return;
    throw new DataError('invalid_body', `Change "${wf.field}" with POST …/{id}/transition`, [{ field: wf.field, detail: 'is the workflow state; use the transition endpoint' }]);
  }

  /** The transitions this actor may take from a state. */
  transitionsFrom(actor: Actor, cm: CollectionModel, from: string, tenant?: string): string[] {
    const wf = cm.live?.workflow;
    if (!wf) return [];
    const roles = actor.kind === 'root' ? undefined : new Set(rolesOf(actor, tenant));
    const out = new Set<string>();
    for (const t of wf.transitions) {
      const froms = Array.isArray(t.from) ? t.from : [t.from];
      if (!froms.includes(from) && !froms.includes('*')) continue;
      if (roles && !t.roles.some((r) => roles.has(r))) continue;
      out.add(t.to);
    }
    return [...out];
  }

  /** Moves an item to another workflow state. Entering the publish state publishes it; leaving it unpublishes. */
  async transition(scope: Scope, collection: string, id: string, to: unknown): Promise<Item> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'read');
    const wf = cm.live?.workflow;
    if (!wf) throw new DataError('conflict', `${collection} has no workflow; its items are published as soon as they are saved`);
    const states = (cm.fields.get(wf.field)!.field as { values: string[] }).values;
    if (typeof to !== 'string' || !states.includes(to)) throw new DataError('invalid_body', 'Unknown target state', [{ field: 'to', detail: `must be one of: ${states.join(', ')}` }]);
    if (!ID_PATTERN.test(id)) throw notFound(`No ${collection} item "${id}"`);
    const now = new Date().toISOString();
    return this.#write(cm, async (trx) => {
      const row = await trx.selectFrom(cm.table).select(wf.field).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`No ${collection} item "${id}"`);
      const from = row[wf.field] as string;
      // A role that edits only its own items moves only those; a role without edit rights (a reviewer) is governed by the workflow alone.
      await this.#guardOwner(trx, scope, cm, tenantId, id, 'update');
      const allowed = this.transitionsFrom(scope.actor, cm, from, scope.tenant);
      if (!allowed.includes(to)) {
        const any = this.transitionsFrom({ kind: 'root' }, cm, from).includes(to);
        const detail = allowed.length ? `allowed from "${from}": ${allowed.join(', ')}` : `no transition from "${from}" is open to you`;
        if (any && scope.actor.kind === 'anonymous') throw new DataError('unauthenticated', `Sign in to move ${collection} items from "${from}" to "${to}"`, [{ field: 'to', detail }]);
        throw new DataError(any ? 'forbidden' : 'conflict', any ? `Your role may not move ${collection} items from "${from}" to "${to}"` : `There is no transition from "${from}" to "${to}"`, [{ field: 'to', detail }]);
      }
      await trx.updateTable(cm.table).set({ [wf.field]: to, updatedAt: this.driver.encodeTimestamp(now), updatedBy: ownerId(scope.actor) }).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).execute();
      const item = await this.#recorded(trx, scope, cm, tenantId, id, 'transition', now);
      if (to === wf.publish) await this.#publish(trx, scope, cm, tenantId, item, now);
      else if (from === wf.publish) await this.#unpublish(trx, scope, cm, tenantId, id, now);
      return this.#shown(scope, cm, item);
    });
  }

  /** Schedules a transition (usually publishing) for a time; it runs then, or when a worker next starts. */
  async scheduleTransition(scope: Scope, collection: string, id: string, input: { to?: unknown; at?: unknown }): Promise<Schedule> {
    const { cm, tenantId } = await this.#enter(scope, collection, 'update');
    const wf = cm.live?.workflow;
    if (!wf) throw new DataError('conflict', `${collection} has no workflow to schedule`);
    const states = (cm.fields.get(wf.field)!.field as { values: string[] }).values;
    const to = input.to ?? wf.publish;
    const problems = [];
    if (typeof to !== 'string' || !states.includes(to)) problems.push({ field: 'to', detail: `must be one of: ${states.join(', ')}` });
    const at = typeof input.at === 'string' ? normalizeDatetime(input.at) : undefined;
    if (!at) problems.push({ field: 'at', detail: 'must be an ISO 8601 date-time with a time zone, such as 2026-01-31T09:30:00Z' });
    if (problems.length) throw new DataError('invalid_body', 'The schedule has invalid fields', problems);
    if (!states.some((from) => this.transitionsFrom(scope.actor, cm, from, scope.tenant).includes(to as string))) {
      throw new DataError('forbidden', `Your role may not move ${collection} items to "${to as string}"`, [{ field: 'to', detail: 'no transition into this state is open to you' }]);
    }
    if (!ID_PATTERN.test(id)) throw notFound(`No ${collection} item "${id}"`);
    return this.driver.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom(cm.table).select('id').where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!exists) throw notFound(`No ${collection} item "${id}"`);
      await this.#guardOwner(trx, scope, cm, tenantId, id, 'update');
      return addSchedule(trx, this.driver, this.queue, { tenantId, collection, item: id, to: to as string, at: at!, actor: scope.actor });
    });
  }

  async schedules(scope: Scope, collection: string, id: string): Promise<Schedule[]> {
    const { tenantId } = await this.#enter(scope, collection, 'update');
    return listSchedules(this.driver.db, this.driver, tenantId, collection, id);
  }

  async cancelSchedule(scope: Scope, collection: string, id: string, scheduleId: string): Promise<Schedule> {
    const { tenantId } = await this.#enter(scope, collection, 'update');
    if (!ID_PATTERN.test(id) || !ID_PATTERN.test(scheduleId)) throw notFound(`No schedule "${scheduleId}" for this item`);
    return cancelSchedule(this.driver.db, this.driver, tenantId, collection, id, scheduleId);
  }

  async tenantSlug(tenantId: string): Promise<string> {
    const row = await this.driver.db.selectFrom(SYSTEM_TABLES.tenants).select('slug').where('id', '=', tenantId).executeTakeFirst();
    if (!row) throw notFound(`No tenant with id ${tenantId}`);
    return row.slug as string;
  }

  /** Copies the item's current state into the live view, replacing its previous published version. */
  async #publish(trx: Executor, scope: Scope, cm: CollectionModel, tenantId: string, item: Item, at: string) {
    const live = cm.live!;
    const id = item.id as string;
    await trx.deleteFrom(live.table).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).execute();
    const row: Record<string, unknown> = {
      id,
      [TENANT_COLUMN]: tenantId,
      createdAt: this.driver.encodeTimestamp(item.createdAt as string),
      updatedAt: this.driver.encodeTimestamp(item.updatedAt as string),
      createdBy: item.createdBy ?? null,
      updatedBy: item.updatedBy ?? null,
    };
    for (const fm of cm.columns) row[fm.name] = item[fm.name] === null ? null : fm.encode(item[fm.name]);
    await trx.insertInto(live.table).values(row).execute();
    for (const fm of cm.lists) {
      const targets = (item[fm.name] as string[]) ?? [];
      if (targets.length) await trx.insertInto(live.joins.get(fm.name)!).values(targets.map((target, position) => ({ [TENANT_COLUMN]: tenantId, source: id, target, position }))).execute();
    }
    await this.#record(trx, { tenantId, collection: cm.name, itemId: id, type: 'publish', actor: actorName(scope.actor), at, data: item });
    const doc = searchDoc(cm, tenantId, item, 'live');
    if (doc) await this.driver.search.put(trx, doc);
  }

  async #unpublish(trx: Executor, scope: Scope, cm: CollectionModel, tenantId: string, id: string, at: string) {
    await trx.deleteFrom(cm.live!.table).where(TENANT_COLUMN, '=', tenantId).where('id', '=', id).execute();
    await this.#record(trx, { tenantId, collection: cm.name, itemId: id, type: 'unpublish', actor: actorName(scope.actor), at, data: null });
    if (isSearchable(cm)) await this.driver.search.remove(trx, cm.name, id, 'live');
  }

  /** Appends an event and tells the listeners, all inside the write's transaction. */
  async #record(trx: Executor, e: NewEvent): Promise<void> {
    const revision = await appendEvent(trx, this.driver, e);
    for (const listener of this.#listeners) await listener(trx, { ...e, revision });
  }

  /**
   * Registers work to do in the same transaction as every content change (for example queueing
   * webhook deliveries), so it happens exactly when the change commits. A listener that throws
   * rolls the change back.
   */
  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Reads the written item back and appends its state to the event log, in the write's transaction. */
  async #recorded(trx: Executor, scope: Scope, cm: CollectionModel, tenantId: string, id: string, type: EventType, at: string): Promise<Item> {
    // The log holds the whole working state whoever wrote it; callers get #shown copies.
    const ctx = this.#readContext(trx, scope, tenantId, 'working');
    const item = (await loadByIds(ctx, cm, [id], new Map(), undefined)).get(id)!;
    await this.#record(trx, { tenantId, collection: cm.name, itemId: id, type, actor: actorName(scope.actor), at, data: item });
    const doc = searchDoc(cm, tenantId, item);
    if (doc) await this.driver.search.put(trx, doc);
    return item;
  }

  /** Relations may only point at items that exist in the same tenant; say which ones do not. */
  async #checkTargets(trx: Executor, cm: CollectionModel, tenantId: string, values: WriteValues) {
    const problems = [];
    for (const [name, fm] of cm.fields) {
      if (fm.field.type !== 'relation') continue;
      const ids = fm.joinTable ? values.lists.get(name) : values.columns.get(name) ? [values.columns.get(name) as string] : undefined;
      if (!ids?.length) continue;
      const target = this.model.collections.get(fm.field.to)!;
      const found = await trx.selectFrom(target.table).select('id').where(TENANT_COLUMN, '=', tenantId).where('id', 'in', ids).execute();
      const have = new Set(found.map((r) => r.id as string));
      const missing = ids.filter((i) => !have.has(i));
      if (missing.length) problems.push({ field: name, detail: `no ${target.name} item with id ${missing.join(', ')} in this tenant` });
    }
    if (problems.length) throw new DataError('invalid_body', 'A relation points at an item that does not exist', problems);
  }

  async #writeLinks(trx: Executor, cm: CollectionModel, tenantId: string, id: string, lists: Map<string, string[]>, replace = false) {
    for (const [name, targets] of lists) {
      const jt = cm.fields.get(name)!.joinTable!;
      if (replace) await trx.deleteFrom(jt).where(TENANT_COLUMN, '=', tenantId).where('source', '=', id).execute();
      if (targets.length) {
        await trx
          .insertInto(jt)
          .values(targets.map((target, position) => ({ [TENANT_COLUMN]: tenantId, source: id, target, position })))
          .execute();
      }
    }
  }

  /** A slug derived from its source gets -2, -3, … when its collection requires unique slugs. */
  async #deriveSlugs(trx: Executor, cm: CollectionModel, tenantId: string, values: WriteValues) {
    for (const [name, base] of values.slugsToDerive) {
      let slug = base;
      const field = cm.fields.get(name)!.field;
      if (field.unique) {
        // Concurrent creates would pick the same free suffix; PostgreSQL serializes them per tenant and collection.
        if (this.driver.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`${cm.table}/${name}/${tenantId}`}))`.execute(trx);
        const max = (field.type === 'slug' && field.max) || DEFAULT_MAX_LENGTH.slug;
        const candidate = (n: number) => (n === 1 ? base : `${base.slice(0, max - String(n).length - 1).replace(/-+$/, '')}-${n}`);
        // Equality probes use the (tenant, slug) unique index; a LIKE scan would read every slug of the tenant.
        // The first 50 candidates cover all but pathological titles; past them the scan finds the next free one.
        for (let from = 1; ; from += 50) {
          const batch = Array.from({ length: 50 }, (_, i) => candidate(from + i));
          const query = trx.selectFrom(cm.table).select(name).where(TENANT_COLUMN, '=', tenantId);
          const taken = await (from <= 50 ? query.where(name, 'in', batch) : query.where(name, 'like', `${base.slice(0, Math.max(1, max - 10))}%`)).execute();
          const used = new Set(taken.map((r) => r[name] as string));
          const free = from <= 50 ? batch.find((c) => !used.has(c)) : undefined;
          if (free !== undefined) {
            slug = free;
            break;
          }
          if (from > 50) {
            let n = from;
            while (used.has(candidate(n))) n++;
            slug = candidate(n);
            break;
          }
        }
      }
      values.columns.set(name, slug);
    }
  }
}
