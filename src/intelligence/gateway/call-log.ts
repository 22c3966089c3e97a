// The audit log of the model gateway: one row per call (and per shadow run), written when the call
// starts and completed when it ends, naming the prompt and answer by content hash. The unique
// (tenant, idempotencyKey) index is what makes a retried request with the same key join the first
// call instead of running and billing again.
import type { StorageDriver } from '../../data/driver.ts';
import { newId } from '../../data/ids.ts';
import { AI_TABLES } from '../../data/ai/ai-tables.ts';

export type CallSource = 'model' | 'cache' | 'offline';
export type CallStatus = 'pending' | 'done' | 'failed';

export type CallRecord = {
  id: string;
  tenant: string;
  user: string | null;
  kind: 'call' | 'shadow';
  prompt: string;
  version: string;
  provider: string;
  requestedModel: string;
  responseModel: string | null;
  inputTokens: number;
  outputTokens: number;
  status: CallStatus;
  source: CallSource | null;
  cacheHit: boolean;
  repairs: number;
  errorKind: string | null;
  latencyMs: number | null;
  idempotencyKey: string | null;
  promptHash: string | null;
  outputHash: string | null;
  notes: string[];
  createdAt: string;
  finishedAt: string | null;
};

export type CallStart = Pick<CallRecord, 'tenant' | 'user' | 'kind' | 'prompt' | 'version' | 'provider' | 'requestedModel' | 'idempotencyKey' | 'promptHash'>;

export type CallEnd = Pick<CallRecord, 'status' | 'source' | 'provider' | 'responseModel' | 'inputTokens' | 'outputTokens' | 'cacheHit' | 'repairs' | 'errorKind' | 'latencyMs' | 'outputHash' | 'notes'>;

export type CallFilter = { tenant?: string; prompt?: string; version?: string; model?: string; limit?: number };

export class CallLog {
  readonly #driver: StorageDriver;

  constructor(driver: StorageDriver) {
    this.#driver = driver;
  }

  #ts(d: Date): unknown {
    return this.#driver.encodeTimestamp(d.toISOString());
  }

  /** Records a started call; with an idempotency key already taken, returns the id of the call that holds it. */
  async begin(start: CallStart, now: Date): Promise<{ id: string; existing: boolean }> {
    const id = newId(now.getTime());
    try {
      await this.#driver.db
        .insertInto(AI_TABLES.calls)
        .values({
          id,
          ...start,
          responseModel: null,
          inputTokens: 0,
          outputTokens: 0,
          status: 'pending',
          source: null,
          cacheHit: 0,
          repairs: 0,
          errorKind: null,
          latencyMs: null,
          outputHash: null,
          notes: '[]',
          createdAt: this.#ts(now),
          finishedAt: null,
        })
        .execute();
      return { id, existing: false };
    } catch (e) {
      if (start.idempotencyKey === null || this.#driver.violation(e)?.kind !== 'unique') throw e;
      const first = await this.byIdempotencyKey(start.tenant, start.idempotencyKey);
      if (!first) throw e;
      return { id: first.id, existing: true };
    }
  }

  async finish(id: string, end: CallEnd, now: Date): Promise<void> {
    await this.#driver.db
      .updateTable(AI_TABLES.calls)
      .set({ ...end, cacheHit: end.cacheHit ? 1 : 0, notes: JSON.stringify(end.notes), finishedAt: this.#ts(now) })
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const row = await this.#driver.db.selectFrom(AI_TABLES.calls).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.#decode(row) : undefined;
  }

  async byIdempotencyKey(tenant: string, key: string): Promise<CallRecord | undefined> {
    const row = await this.#driver.db.selectFrom(AI_TABLES.calls).selectAll().where('tenant', '=', tenant).where('idempotencyKey', '=', key).executeTakeFirst();
    return row ? this.#decode(row) : undefined;
  }

  /** Newest first. `model` matches the model asked for or the one that answered. */
  async list(filter: CallFilter = {}): Promise<CallRecord[]> {
    let q = this.#driver.db.selectFrom(AI_TABLES.calls).selectAll();
    if (filter.tenant !== undefined) q = q.where('tenant', '=', filter.tenant);
    if (filter.prompt !== undefined) q = q.where('prompt', '=', filter.prompt);
    if (filter.version !== undefined) q = q.where('version', '=', filter.version);
    if (filter.model !== undefined) {
      const model = filter.model;
      q = q.where((eb) => eb.or([eb('requestedModel', '=', model), eb('responseModel', '=', model)]));
    }
    const rows = await q
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    return rows.map((r) => this.#decode(r));
  }

  #decode(r: Record<string, unknown>): CallRecord {
    const ts = (v: unknown) => (v === null || v === undefined ? null : this.#driver.decodeTimestamp(v));
    return {
      id: r.id as string,
      tenant: r.tenant as string,
      user: (r.user as string | null) ?? null,
      kind: r.kind as CallRecord['kind'],
      prompt: r.prompt as string,
      version: r.version as string,
      provider: r.provider as string,
      requestedModel: r.requestedModel as string,
      responseModel: (r.responseModel as string | null) ?? null,
      inputTokens: Number(r.inputTokens),
      outputTokens: Number(r.outputTokens),
      status: r.status as CallStatus,
      source: (r.source as CallSource | null) ?? null,
      cacheHit: Number(r.cacheHit) === 1,
      repairs: Number(r.repairs),
      errorKind: (r.errorKind as string | null) ?? null,
      latencyMs: r.latencyMs === null || r.latencyMs === undefined ? null : Number(r.latencyMs),
      idempotencyKey: (r.idempotencyKey as string | null) ?? null,
      promptHash: (r.promptHash as string | null) ?? null,
      outputHash: (r.outputHash as string | null) ?? null,
      notes: JSON.parse(r.notes as string) as string[],
      createdAt: ts(r.createdAt)!,
      finishedAt: ts(r.finishedAt),
    };
  }
}
