// Provider requests go through the app's durable job queue (src/data/queue): a request row and its
// job are written in one transaction, a worker runs it with the provider's concurrency limit and a
// per-request timeout, retries only retryable ModelErrors (waiting at least the provider's
// Retry-After), and records the answer on the row. The row is checked before every run, so a job
// that comes back after its lease ran out never reaches the provider twice. The caller waits for the
// row to settle: woken at once when this process's worker ran it, by polling when another did.
import type { StorageDriver } from '../../../data/driver.ts';
import { newId } from '../../../data/ids.ts';
import { AI_TABLES } from '../../../data/ai/ai-tables.ts';
import { DbQueue } from '../../../data/queue/db-queue.ts';
import { backoffDelay } from '../../../data/queue/backoff.ts';
import { startWorker, type Worker } from '../../../data/queue/worker.ts';
import type { Job, JobOutcome } from '../../../data/queue/job-queue.ts';
import { ModelError } from '../model-error.ts';
import type { ChatMessage, JsonResponseFormat, ModelProvider, ModelResponse } from '../model-provider.ts';
import { sha256 } from './content-blobs.ts';

export type QueuedRequest = {
  callId: string;
  model: string;
  messages: readonly ChatMessage[];
  responseFormat?: JsonResponseFormat;
  maxOutputTokens?: number;
  temperature?: number;
};

export type RequestOutcome = { ok: true; response: ModelResponse; attempts: number } | { ok: false; error: ModelError; attempts: number };

export type RequestQueueOptions = {
  driver: StorageDriver;
  provider: ModelProvider;
  /** Where the provider is (its base URL): requests for another endpoint are left to that endpoint's workers. */
  endpoint?: string;
  timeoutMs: number;
  concurrency: number;
  /** Runs of one request, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff base for retries without a Retry-After (default 250 ms). */
  retryBaseMs?: number;
  /** Worker poll interval (default 50 ms). */
  pollMs?: number;
};

type Payload = { requestId: string; request: Omit<QueuedRequest, 'callId'> };

const MAX_RETRY_DELAY_MS = 60_000;
/** How often a waiter looks at the row when no local worker tells it (another process ran the job). */
const WAIT_POLL_MS = 250;

export class ModelRequestQueue {
  readonly kind: string;
  readonly #o: Required<RequestQueueOptions>;
  readonly #queue: DbQueue;
  readonly #waiters = new Map<string, Set<() => void>>();
  #worker: Worker | undefined;

  constructor(options: RequestQueueOptions) {
    this.#o = { maxAttempts: 4, retryBaseMs: 250, pollMs: 50, endpoint: '', ...options };
    this.#queue = new DbQueue(options.driver);
    // Per provider, so a worker only takes the requests its provider can run.
    this.kind = `ai.call.${options.provider.name}${options.endpoint ? `.${sha256(options.endpoint).slice(0, 12)}` : ''}`;
  }

  get started(): boolean {
    return this.#worker !== undefined;
  }

  start(): void {
    if (this.#worker) return;
    this.#worker = startWorker({
      queue: this.#queue,
      handlers: { [this.kind]: (job) => this.#run(job) },
      concurrency: this.#o.concurrency,
      pollMs: this.#o.pollMs,
      // A lease shorter than a run would let a second worker take the job while the first still runs it.
      leaseMs: this.#o.timeoutMs + 30_000,
      onError: (e, job) => console.error(`kiln: model request ${job?.id ?? ''} failed:`, e),
    });
  }

  async stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    await w?.stop();
  }

  /** Queues one provider request durably and waits for its outcome. */
  async submit(request: QueuedRequest): Promise<RequestOutcome> {
    this.start();
    const { driver } = this.#o;
    const id = newId();
    const { callId, ...rest } = request;
    const payload: Payload = { requestId: id, request: rest };
    const settled = this.#settled(id);
    await driver.db.transaction().execute(async (trx) => {
      await trx
        .insertInto(AI_TABLES.requests)
        .values({ id, callId, provider: this.#o.provider.name, model: request.model, state: 'queued', attempts: 0, createdAt: driver.encodeTimestamp(new Date().toISOString()) })
        .execute();
      await this.#queue.enqueue(trx, { kind: this.kind, payload });
    });
    return settled;
  }

  async #settled(id: string): Promise<RequestOutcome> {
    for (;;) {
      const woken = new Promise<void>((resolve) => {
        let set = this.#waiters.get(id);
        if (!set) this.#waiters.set(id, (set = new Set()));
        const timer = setTimeout(done, WAIT_POLL_MS);
        function done() {
          clearTimeout(timer);
          set!.delete(done);
          resolve();
        }
        set.add(done);
      });
      // Registered before looking, so a wake-up between the read and the wait is not lost.
      const outcome = await this.#outcome(id);
      if (outcome) {
        for (const w of this.#waiters.get(id) ?? []) w();
        this.#waiters.delete(id);
        return outcome;
      }
      await woken;
    }
  }

  async #outcome(id: string): Promise<RequestOutcome | undefined> {
    const r = await this.#o.driver.db.selectFrom(AI_TABLES.requests).selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || r.state === 'queued') return undefined;
    const attempts = Number(r.attempts);
    if (r.state === 'done') {
      return {
        ok: true,
        attempts,
        response: {
          text: r.answer as string,
          model: r.responseModel as string,
          usage: { inputTokens: Number(r.inputTokens), outputTokens: Number(r.outputTokens) },
          finishReason: r.finishReason as ModelResponse['finishReason'],
        },
      };
    }
    return { ok: false, attempts, error: new ModelError(r.errorKind as ModelError['kind'], r.error as string) };
  }

  #wake(id: string): void {
    for (const w of this.#waiters.get(id) ?? []) w();
  }

  async #run(job: Job): Promise<JobOutcome> {
    const { requestId, request } = job.payload as Payload;
    const db = this.#o.driver.db;
    const row = await db.selectFrom(AI_TABLES.requests).select('state').where('id', '=', requestId).executeTakeFirst();
    // Already answered (a run whose completion was lost): never run or bill it again.
    if (!row || row.state !== 'queued') return { status: 'done' };
    const now = () => this.#o.driver.encodeTimestamp(new Date().toISOString());
    try {
      const response = await this.#complete(request);
      await db
        .updateTable(AI_TABLES.requests)
        .set({
          state: 'done',
          attempts: job.attempts,
          answer: response.text,
          responseModel: response.model,
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          finishReason: response.finishReason,
          errorKind: null,
          error: null,
          finishedAt: now(),
        })
        .where('id', '=', requestId)
        .where('state', '=', 'queued')
        .execute();
      this.#wake(requestId);
      return { status: 'done' };
    } catch (e) {
      const error = e instanceof ModelError ? e : new ModelError('server', e instanceof Error ? e.message : String(e), { cause: e });
      const again = error.retryable && job.attempts < this.#o.maxAttempts;
      await db
        .updateTable(AI_TABLES.requests)
        .set({ attempts: job.attempts, errorKind: error.kind, error: error.message.slice(0, 2000), ...(again ? {} : { state: 'failed', finishedAt: now() }) })
        .where('id', '=', requestId)
        .where('state', '=', 'queued')
        .execute();
      if (!again) {
        this.#wake(requestId);
        return { status: 'done' };
      }
      const delay = Math.max(error.retryAfterMs ?? 0, backoffDelay(job.attempts, { baseMs: this.#o.retryBaseMs, maxMs: MAX_RETRY_DELAY_MS }));
      return { status: 'retry', at: new Date(Date.now() + delay), error: `${error.kind}: ${error.message}` };
    }
  }

  /** One provider request under the timeout, also when a provider ignores its abort signal. */
  async #complete(request: Payload['request']): Promise<ModelResponse> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ModelError('timeout', `no answer within ${this.#o.timeoutMs} ms`));
      }, this.#o.timeoutMs);
    });
    try {
      return await Promise.race([this.#o.provider.complete({ ...request, signal: controller.signal }), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
