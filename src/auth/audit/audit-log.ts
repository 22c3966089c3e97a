// The audit log of security events: sign-ins and their failures, MFA, password and email changes,
// memberships and roles, API keys, OAuth tokens. Recording never makes the request that caused the
// event wait on (or fail with) the write: records are written in order in the background, and a
// query first waits for the writes this process has begun, so what an admin reads includes
// everything that happened before the query.
import type { Actor } from '../../data/access.ts';
import type { StorageDriver } from '../../data/driver.ts';
import { DataError } from '../../data/errors.ts';
import { newId } from '../../data/ids.ts';
import { lockSchema } from '../../data/schema-sync.ts';
import { AUDIT_TABLE, createAuditTable } from './audit-table.ts';

export type AuditEvent = {
  kind: string;
  tenant?: string | null;
  actor?: string | null;
  user?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
};

export type AuditEntry = { id: string; at: string; kind: string; tenant: string | null; actor: string | null; user: string | null; ip: string | null; userAgent: string | null; details: Record<string, unknown> };

export type AuditFilter = { tenant?: string; kinds?: string[]; user?: string; since?: string; until?: string; cursor?: string; limit: number };

/** What a Fastify request tells about where an event came from. */
export type RequestFacts = { ip?: string; headers: Record<string, string | string[] | undefined> };

/** The audit actor column for a Kiln actor. */
export function actorName(a: Actor): string | null {
  if (a.kind === 'root') return 'root';
  // A person's id, or "key:<id>" for an API key.
  if (a.kind === 'user') return a.id;
  return null;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuditLog {
  readonly #driver: StorageDriver;
  #writing: Promise<void> = Promise.resolve();

  private constructor(driver: StorageDriver) {
    this.#driver = driver;
  }

  static async open(driver: StorageDriver): Promise<AuditLog> {
    await driver.db.transaction().execute(async (trx) => {
      await lockSchema(trx, driver);
      await createAuditTable(trx, driver);
    });
    return new AuditLog(driver);
  }

  record(e: AuditEvent): void {
    this.recordLater(Promise.resolve(e));
  }

  /**
   * Records an event whose details are still being looked up. Its place in the queue is taken now,
   * so a query made after the request that caused it still waits for it.
   */
  recordLater(pending: Promise<AuditEvent | undefined>): void {
    const write = async () => {
      const e = await pending;
      if (!e) return;
      const now = Date.now();
      const row = {
        id: newId(now),
        at: this.#driver.encodeTimestamp(new Date(now).toISOString()),
        tenant: e.tenant ?? null,
        actor: e.actor ?? null,
        userId: e.user ?? null,
        kind: e.kind,
        ip: e.ip ?? null,
        userAgent: e.userAgent ? e.userAgent.slice(0, 512) : null,
        details: JSON.stringify(e.details ?? {}),
      };
      await this.#driver.db.insertInto(AUDIT_TABLE).values(row).execute();
    };
    this.#writing = this.#writing.then(write).catch((err: unknown) => console.error(`kiln: an audit record was not written: ${(err as Error).message}`));
  }

  /** Records an event caused by an HTTP request: its address and user agent, and the caller as actor. */
  recordFor(req: RequestFacts, actor: Actor, e: Omit<AuditEvent, 'ip' | 'userAgent' | 'actor'>): void {
    const ua = req.headers['user-agent'];
    this.record({ ...e, actor: actorName(actor), ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null });
  }

  /** Waits for the records begun so far. */
  flushed(): Promise<void> {
    return this.#writing;
  }

  /** Newest first; `cursor` is the id of the last entry of the previous page. */
  async query(f: AuditFilter): Promise<{ data: AuditEntry[]; next: string | null }> {
    await this.flushed();
    const d = this.#driver;
    let q = d.db.selectFrom(AUDIT_TABLE).selectAll();
    if (f.tenant !== undefined) q = q.where('tenant', '=', f.tenant);
    if (f.kinds?.length) q = q.where('kind', 'in', f.kinds);
    if (f.user !== undefined) q = q.where('userId', '=', f.user);
    if (f.since !== undefined) q = q.where('at', '>=', d.encodeTimestamp(f.since));
    if (f.until !== undefined) q = q.where('at', '<', d.encodeTimestamp(f.until));
    if (f.cursor !== undefined) q = q.where('id', '<', f.cursor);
    const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
    const page = rows.slice(0, f.limit).map((r): AuditEntry => ({
      id: r.id as string,
      at: d.decodeTimestamp(r.at),
      kind: r.kind as string,
      tenant: (r.tenant as string | null) ?? null,
      actor: (r.actor as string | null) ?? null,
      user: (r.userId as string | null) ?? null,
      ip: (r.ip as string | null) ?? null,
      userAgent: (r.userAgent as string | null) ?? null,
      details: JSON.parse(r.details as string) as Record<string, unknown>,
    }));
    return { data: page, next: rows.length > f.limit ? page[page.length - 1].id : null };
  }
}

/** Query string → filter; problems name the parameter. */
export function auditFilter(query: Record<string, unknown>, tenant?: string): AuditFilter {
  const problems: { field: string; detail: string }[] = [];
  const known = new Set(['kind', 'user', 'since', 'until', 'cursor', 'limit']);
  for (const k of Object.keys(query)) if (!known.has(k)) problems.push({ field: k, detail: `is not a parameter of the audit log; parameters are ${[...known].join(', ')}` });
  const text = (k: string): string | undefined => {
    const v = query[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '' || v.length > 200) {
      problems.push({ field: k, detail: 'must be given once, as a non-empty value' });
      return undefined;
    }
    return v;
  };
  const time = (k: string): string | undefined => {
    const v = text(k);
    if (v === undefined) return undefined;
    const t = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t.getTime())) {
      problems.push({ field: k, detail: 'must be an ISO 8601 date or date-time, like 2026-05-01T12:00:00Z' });
      return undefined;
    }
    return t.toISOString();
  };
  const kind = text('kind');
  const kinds = kind?.split(',').map((s) => s.trim()).filter(Boolean);
  if (kinds?.some((k) => !/^[a-z0-9_.]+$/.test(k))) problems.push({ field: 'kind', detail: 'must be event kinds like sign_in.failure, separated by commas' });
  const user = text('user');
  const since = time('since');
  const until = time('until');
  const cursor = text('cursor');
  if (cursor !== undefined && !ID.test(cursor)) problems.push({ field: 'cursor', detail: 'must be the "next" value of a previous page' });
  const rawLimit = text('limit');
  const limit = rawLimit === undefined ? 50 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) problems.push({ field: 'limit', detail: 'must be a whole number from 1 to 500' });
  if (problems.length) throw new DataError('invalid_query', `Invalid ${problems.map((p) => `"${p.field}"`).join(', ')}`, problems);
  return { ...(tenant !== undefined && { tenant }), ...(kinds?.length && { kinds }), ...(user !== undefined && { user }), ...(since && { since }), ...(until && { until }), ...(cursor && { cursor }), limit };
}
