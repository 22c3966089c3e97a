// The model gateway's pipeline, the one way any Kiln task reaches a model. Per call, in order:
//   prompt registry (the version a tenant's flag picks; a shadow version runs too, scored, never
//   returned) → PII redaction of the variables → the tenant's token budget (reserved, reconciled) →
//   content-hash cache → durable queue (src/data/queue: concurrency, timeout, retries honouring
//   Retry-After) → provider → JSON parse + the call's validate(), with up to 3 repair turns →
//   the fallback model → the task's offline implementation.
// Idempotency: a call with a key is recorded under a unique (tenant, key); a second call with the
// same key runs nothing and gets the first call's result.
// Every call is one row of kiln_ai_calls, with its prompt and output stored by content hash.
//
// Environment (besides ai-config.ts and prompt-flags.ts): KILN_AI_BUDGET_SOFT_TOKENS and
// KILN_AI_BUDGET_HARD_TOKENS per tenant per calendar month (budget.ts; per-tenant overrides in
// kiln_ai_budget_limits), KILN_AI_MAX_OUTPUT_TOKENS (default 4096; the fallback model gets half).
//
// With a provider configured the gateway runs a queue worker, started by start() or by the first
// call that needs it; stop() ends it and waits for shadow runs in flight.
import { performance } from 'node:perf_hooks';
import type { StorageDriver } from '../../data/driver.ts';
import { createAiTables } from '../../data/ai/ai-tables.ts';
import { lockSchema } from '../../data/schema-sync.ts';
import { createJobTable } from '../../data/queue/db-queue.ts';
import type { AiConfig } from './ai-config.ts';
import { TokenBudget, estimateTokens, readBudgetLimits } from './budget.ts';
import { ResponseCache, cacheKey } from './cache.ts';
import { CallLog, type CallEnd, type CallRecord, type CallSource } from './call-log.ts';
import { IdempotencyKeyError, ModelUnavailableError, NoOfflineImplementationError, type GatewayCall, type GatewayResult, type ModelGateway } from './model-gateway.ts';
import type { ChatMessage, ModelProvider, ModelUsage } from './model-provider.ts';
import { PromptFlags, readPromptFlagConfig } from './prompts/prompt-flags.ts';
import type { PromptDefinition } from './prompts/prompt-definition.ts';
import { PromptRegistry } from './prompts/prompt-registry.ts';
import { providerFor } from './providers/provider-for.ts';
import { Redactor } from './redaction.ts';
import { getBlob, putBlob } from './storage/content-blobs.ts';
import { ModelRequestQueue } from './storage/model-request-queue.ts';
import { traceModelCall } from './telemetry.ts';

export interface Gateway extends ModelGateway {
  /** Starts the queue worker (a no-op offline). */
  start(): void;
  /** Stops the worker, after the requests and shadow runs in flight. */
  stop(): Promise<void>;
}

export type GatewayOptions = {
  driver: StorageDriver;
  config: AiConfig;
  prompts: readonly PromptDefinition[];
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Queue tuning, mostly for tests. */
  queue?: { pollMs?: number; retryBaseMs?: number; maxAttempts?: number };
};

export const MAX_REPAIRS = 3;
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
const DEFAULT_MEMOIZE_TTL_MS = 3_600_000;
const OFFLINE = 'offline';
/** How often a caller waiting on another call with the same idempotency key looks at its row. */
const IDEMPOTENT_POLL_MS = 50;
const IDEMPOTENT_WAIT_MIN_MS = 300_000;

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { driver } = options;
  // The tables come with the app's system tables; created here too for a gateway used on its own
  // (the builder CLI, tests), with the job table its queue needs.
  await driver.db.transaction().execute(async (trx) => {
    await lockSchema(trx, driver);
    await createAiTables(trx, driver);
    await createJobTable(trx, driver);
  });
  return new PipelineGateway(options);
}

type Attempt<T> =
  | { ok: true; value: T; source: 'model' | 'cache'; responseModel: string; outputHash: string }
  | { ok: false; reason: string; errorKind: string };

/** What one call accumulates on its way through the pipeline, for its log row and its span. */
type Tally = { usage: ModelUsage; repairs: number; cacheHit: boolean; notes: string[]; softNoted: boolean; errorKind: string | null };

type Prepared = { version: string; hash: string; messages: ChatMessage[] };

class PipelineGateway implements Gateway {
  readonly #driver: StorageDriver;
  readonly #config: AiConfig;
  readonly #provider: ModelProvider | null;
  readonly #registry: PromptRegistry;
  readonly #flags: PromptFlags;
  readonly #log: CallLog;
  readonly #budget: TokenBudget;
  readonly #cache: ResponseCache;
  readonly #queue: ModelRequestQueue | null;
  readonly #now: () => Date;
  readonly #maxOutputTokens: number;
  readonly #shadows = new Set<Promise<void>>();
  readonly #finished = new Map<string, Set<() => void>>();

  constructor(o: GatewayOptions) {
    const env = o.env ?? process.env;
    this.#driver = o.driver;
    this.#config = o.config;
    this.#now = o.now ?? (() => new Date());
    this.#registry = new PromptRegistry(o.prompts);
    this.#flags = new PromptFlags(this.#registry, readPromptFlagConfig(env));
    this.#log = new CallLog(o.driver);
    this.#budget = new TokenBudget(o.driver, readBudgetLimits(env));
    this.#cache = new ResponseCache(o.driver);
    this.#provider = providerFor(o.config);
    this.#maxOutputTokens = positive(env.KILN_AI_MAX_OUTPUT_TOKENS, 'KILN_AI_MAX_OUTPUT_TOKENS', DEFAULT_MAX_OUTPUT_TOKENS);
    this.#queue = this.#provider
      ? new ModelRequestQueue({ driver: o.driver, provider: this.#provider, endpoint: o.config.provider === 'offline' ? undefined : o.config.baseUrl, timeoutMs: o.config.timeoutMs, concurrency: o.config.concurrency, ...o.queue })
      : null;
  }

  start(): void {
    this.#queue?.start();
  }

  async stop(): Promise<void> {
    while (this.#shadows.size) await Promise.allSettled([...this.#shadows]);
    await this.#queue?.stop();
  }

  async run<T>(call: GatewayCall<T>): Promise<GatewayResult<T>> {
    const started = performance.now();
    const choice = await this.#flags.choose(call.prompt, call.tenant);
    const redactor = new Redactor();
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.variables)) variables[k] = redactor.redact(v);
    const prepared = this.#prepare(call.prompt, choice.version, variables);
    const model = this.#models()[0] ?? OFFLINE;
    const promptHash = await putBlob(this.#driver.db, this.#driver, JSON.stringify(prepared.messages), this.#now());
    const begun = await this.#log.begin(
      {
        tenant: call.tenant,
        user: call.user ?? null,
        kind: 'call',
        prompt: call.prompt,
        version: prepared.version,
        provider: this.#provider?.name ?? OFFLINE,
        requestedModel: model,
        idempotencyKey: call.idempotencyKey ?? null,
        promptHash,
      },
      this.#now(),
    );
    if (begun.existing) return this.#replay(begun.id, call, redactor);

    const tally: Tally = { usage: { inputTokens: 0, outputTokens: 0 }, repairs: 0, cacheHit: false, notes: [], softNoted: false, errorKind: null };
    if (redactor.found.length) tally.notes.push(`redacted from the prompt: ${redactor.found.map((f) => f.placeholder).join(', ')}`);
    const attrs = { operation: 'chat', provider: this.#provider?.name ?? OFFLINE, requestModel: model, promptName: call.prompt, promptVersion: prepared.version, tenant: call.tenant };
    try {
      const result = await traceModelCall(attrs, async (span) => {
        const r = await this.#pipeline(call, begun.id, prepared, redactor, tally);
        span.setResponse(r.result.model, tally.usage);
        span.setAttribute('app.ai.source', r.result.source);
        span.setAttribute('app.ai.call_id', begun.id);
        return r;
      });
      await this.#finish(begun.id, {
        status: 'done',
        source: result.result.source,
        provider: result.result.provider,
        responseModel: result.result.model,
        inputTokens: tally.usage.inputTokens,
        outputTokens: tally.usage.outputTokens,
        cacheHit: tally.cacheHit,
        repairs: tally.repairs,
        errorKind: tally.errorKind,
        latencyMs: Math.round(performance.now() - started),
        outputHash: result.outputHash,
        notes: tally.notes,
      });
      if (choice.shadow && this.#queue) this.#shadow(call, choice.shadow, variables, redactor);
      return result.result;
    } catch (e) {
      await this.#finish(begun.id, {
        status: 'failed',
        source: null,
        provider: this.#provider?.name ?? OFFLINE,
        responseModel: null,
        inputTokens: tally.usage.inputTokens,
        outputTokens: tally.usage.outputTokens,
        cacheHit: tally.cacheHit,
        repairs: tally.repairs,
        errorKind: tally.errorKind ?? 'offline_failed',
        latencyMs: Math.round(performance.now() - started),
        outputHash: null,
        notes: [...tally.notes, `failed: ${e instanceof Error ? e.message : String(e)}`],
      });
      throw e;
    }
  }

  /** The configured models, main first; none offline. */
  #models(): string[] {
    const c = this.#config;
    if (c.provider === 'offline') return [];
    return c.fallbackModel && c.fallbackModel !== c.model ? [c.model, c.fallbackModel] : [c.model];
  }

  #prepare(prompt: string, version: string, variables: Record<string, string>): Prepared {
    const v = this.#registry.version(prompt, version);
    return { version: v.version, hash: v.hash, messages: [...this.#registry.render(prompt, v.version, variables)] };
  }

  async #pipeline<T>(call: GatewayCall<T>, callId: string, prepared: Prepared, redactor: Redactor, tally: Tally): Promise<{ result: GatewayResult<T>; outputHash: string }> {
    const models = this.#models();
    for (const [i, model] of models.entries()) {
      if (i > 0) tally.notes.push(`falling back to ${model}`);
      // The smaller model also gets a smaller answer allowance, which is what lets it fit a budget the main model no longer does.
      const maxOutputTokens = i === 0 ? this.#maxOutputTokens : Math.max(1, Math.floor(this.#maxOutputTokens / 2));
      const a = await this.#attempt(call, callId, prepared, model, maxOutputTokens, redactor, tally, MAX_REPAIRS);
      if (a.ok) {
        return {
          result: { value: a.value, source: a.source, provider: this.#provider!.name, model: a.responseModel, promptVersion: prepared.version, notes: tally.notes, callId },
          outputHash: a.outputHash,
        };
      }
      tally.errorKind = a.errorKind;
      tally.notes.push(`${model}: ${a.reason}`);
    }
    let value: T;
    try {
      value = await call.offline();
    } catch (e) {
      // With models configured, "no offline implementation" means the models failed, not the setup.
      if (models.length && e instanceof NoOfflineImplementationError) throw new ModelUnavailableError(call.prompt, [...tally.notes], e);
      throw e;
    }
    if (models.length) tally.notes.push('used the offline implementation');
    const outputHash = await putBlob(this.#driver.db, this.#driver, JSON.stringify(value) ?? 'null', this.#now());
    return { result: { value, source: 'offline', provider: OFFLINE, model: OFFLINE, promptVersion: prepared.version, notes: tally.notes, callId }, outputHash };
  }

  /** One model: the cache, then requests through the budget and the queue, repairing invalid answers. */
  async #attempt<T>(call: GatewayCall<T>, callId: string, prepared: Prepared, model: string, maxOutputTokens: number, redactor: Redactor, tally: Tally, maxRepairs: number): Promise<Attempt<T>> {
    const provider = this.#provider!;
    const queue = this.#queue!;
    const responseFormat = { name: call.prompt.replace(/[^A-Za-z0-9_-]/g, '_'), schema: call.schema };
    const key = cacheKey({
      tenant: call.tenant,
      provider: provider.name,
      model,
      prompt: call.prompt,
      version: prepared.version,
      promptHash: prepared.hash,
      messages: prepared.messages,
      schema: call.schema,
      parameters: { maxOutputTokens },
      user: call.user,
    });
    const hit = await this.#cache.get(key, this.#now());
    if (hit) {
      const text = await getBlob(this.#driver.db, hit.outputHash);
      const checked = text === undefined ? undefined : check(text, call, redactor);
      // A stored answer the task's checks now refuse (they changed) is not served; the model is asked again.
      if (checked?.ok) {
        tally.cacheHit = true;
        return { ok: true, value: checked.value, source: 'cache', responseModel: hit.responseModel, outputHash: hit.outputHash };
      }
    }

    let messages: ChatMessage[] = prepared.messages;
    for (let repair = 0; ; repair++) {
      const estimate = estimateTokens(messages, maxOutputTokens);
      const reserved = await this.#budget.reserve(call.tenant, estimate, this.#now());
      if (!reserved.ok) {
        return { ok: false, errorKind: 'budget', reason: `hard budget cap: ${reserved.spent} of ${reserved.limits.hardTokens} tokens this month spent or reserved, this request needs about ${estimate}` };
      }
      if (reserved.soft && !tally.softNoted) {
        tally.softNoted = true;
        tally.notes.push(`soft budget limit reached: ${reserved.spent} of ${reserved.limits.softTokens} tokens this month`);
      }
      let outcome;
      try {
        outcome = await queue.submit({ callId, model, messages, responseFormat, maxOutputTokens });
      } finally {
        // Reconciled even when the wait fails, so a reservation is never left behind.
        await this.#budget.reconcile(reserved.reservation, outcome?.ok ? outcome.response.usage.inputTokens + outcome.response.usage.outputTokens : 0);
      }
      if (!outcome.ok) return { ok: false, errorKind: outcome.error.kind, reason: `${outcome.error.kind} after ${outcome.attempts} attempt(s): ${outcome.error.message}` };
      const response = outcome.response;
      tally.usage.inputTokens += response.usage.inputTokens;
      tally.usage.outputTokens += response.usage.outputTokens;
      const checked = check(response.text, call, redactor);
      if (checked.ok) {
        const outputHash = await putBlob(this.#driver.db, this.#driver, response.text, this.#now());
        const ttl = call.user !== undefined ? (call.memoizeTtlMs ?? DEFAULT_MEMOIZE_TTL_MS) : undefined;
        await this.#cache.put(key, { outputHash, responseModel: response.model }, this.#now(), ttl);
        if (repair > 0) tally.notes.push(`${model}: answer valid after ${repair} repair(s)`);
        return { ok: true, value: checked.value, source: 'model', responseModel: response.model, outputHash };
      }
      if (repair >= maxRepairs) {
        return { ok: false, errorKind: 'invalid_output', reason: `answer still invalid after ${repair} repair(s): ${checked.problems.join('; ')}` };
      }
      tally.repairs += 1;
      // The problems may quote the (restored) answer: redacted again before they go back to the model.
      const problems = checked.problems.map((p) => `- ${redactor.redact(p)}`).join('\n');
      messages = [
        ...messages,
        { role: 'assistant', content: response.text },
        { role: 'user', content: `Your answer has these problems:\n${problems}\nAnswer again with the complete corrected JSON document only, matching the schema.` },
      ];
    }
  }

  /** Runs the shadow version beside the call: same variables, scored by the call's validate(), never returned. */
  #shadow<T>(call: GatewayCall<T>, version: string, variables: Record<string, string>, redactor: Redactor): void {
    const p = this.#runShadow(call, version, variables, redactor)
      .catch((e) => console.error(`kiln: shadow run of ${call.prompt}@${version} failed:`, e))
      .finally(() => this.#shadows.delete(p));
    this.#shadows.add(p);
  }

  async #runShadow<T>(call: GatewayCall<T>, version: string, variables: Record<string, string>, redactor: Redactor): Promise<void> {
    const started = performance.now();
    const prepared = this.#prepare(call.prompt, version, variables);
    const model = this.#models()[0];
    const promptHash = await putBlob(this.#driver.db, this.#driver, JSON.stringify(prepared.messages), this.#now());
    const { id } = await this.#log.begin(
      { tenant: call.tenant, user: call.user ?? null, kind: 'shadow', prompt: call.prompt, version: prepared.version, provider: this.#provider!.name, requestedModel: model, idempotencyKey: null, promptHash },
      this.#now(),
    );
    const tally: Tally = { usage: { inputTokens: 0, outputTokens: 0 }, repairs: 0, cacheHit: false, notes: [], softNoted: false, errorKind: null };
    const attrs = { operation: 'chat', provider: this.#provider!.name, requestModel: model, promptName: call.prompt, promptVersion: prepared.version, tenant: call.tenant };
    const a = await traceModelCall(attrs, async (span) => {
      const r = await this.#attempt(call, id, prepared, model, this.#maxOutputTokens, redactor, tally, 0);
      span.setResponse(r.ok ? r.responseModel : model, tally.usage);
      span.setAttribute('app.ai.shadow', true);
      return r;
    });
    tally.notes.push(a.ok ? 'shadow score: 1 (valid)' : `shadow score: 0 (${a.reason})`);
    await this.#finish(id, {
      status: 'done',
      source: a.ok ? a.source : null,
      provider: this.#provider!.name,
      responseModel: a.ok ? a.responseModel : null,
      inputTokens: tally.usage.inputTokens,
      outputTokens: tally.usage.outputTokens,
      cacheHit: tally.cacheHit,
      repairs: 0,
      errorKind: a.ok ? null : a.errorKind,
      latencyMs: Math.round(performance.now() - started),
      outputHash: a.ok ? a.outputHash : null,
      notes: tally.notes,
    });
  }

  async #finish(id: string, end: CallEnd): Promise<void> {
    await this.#log.finish(id, end, this.#now());
    for (const w of this.#finished.get(id) ?? []) w();
  }

  /** A call with an idempotency key already taken: wait for the first call, then return its result. */
  async #replay<T>(firstId: string, call: GatewayCall<T>, redactor: Redactor): Promise<GatewayResult<T>> {
    const first = await this.#settledCall(firstId, call.idempotencyKey!);
    if (first.status === 'failed') throw new IdempotencyKeyError(call.idempotencyKey!, first.id, `failed (${first.errorKind ?? 'error'})`);
    const text = first.outputHash === null ? undefined : await getBlob(this.#driver.db, first.outputHash);
    if (text === undefined) throw new Error(`the output of call ${first.id} is missing from the AI log`);
    let value: T;
    if (first.source === 'offline') value = JSON.parse(text) as T;
    else {
      const checked = check(text, call, redactor);
      if (!checked.ok) throw new Error(`the stored output of call ${first.id} no longer passes the task's checks: ${checked.problems.join('; ')}`);
      value = checked.value;
    }
    return {
      value,
      source: first.source as CallSource,
      provider: first.source === 'offline' ? OFFLINE : first.provider,
      model: first.source === 'offline' ? OFFLINE : (first.responseModel ?? first.requestedModel),
      promptVersion: first.version,
      notes: [...first.notes, `idempotency key "${call.idempotencyKey}": the result of call ${first.id}, not run again`],
      callId: first.id,
    };
  }

  async #settledCall(id: string, key: string): Promise<CallRecord> {
    // A first call whose process died stays pending; its key is then reported, not waited on forever.
    const giveUpAt = Date.now() + Math.max(IDEMPOTENT_WAIT_MIN_MS, this.#config.timeoutMs * 32);
    for (;;) {
      let wake: (() => void) | undefined;
      const woken = new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake!(), IDEMPOTENT_POLL_MS);
        wake = () => {
          clearTimeout(timer);
          this.#finished.get(id)?.delete(wake!);
          resolve();
        };
      });
      let set = this.#finished.get(id);
      if (!set) this.#finished.set(id, (set = new Set()));
      set.add(wake!);
      const row = await this.#log.get(id);
      if (!row) throw new Error(`call ${id} is missing from the AI log`);
      if (row.status !== 'pending' || Date.now() > giveUpAt) {
        wake!();
        if (set.size === 0) this.#finished.delete(id);
        if (row.status === 'pending') throw new IdempotencyKeyError(key, id, 'has not finished (its process may have stopped)');
        return row;
      }
      await woken;
    }
  }
}

/** Parses the model's answer (redacted text), restores the redacted values in it, and runs the task's checks. */
function check<T>(text: string, call: GatewayCall<T>, redactor: Redactor): { ok: true; value: T } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(text));
  } catch (e) {
    return { ok: false, problems: [`the answer is not valid JSON (${(e as Error).message})`] };
  }
  const v = call.validate(restoreDeep(json, redactor));
  return v.ok ? v : { ok: false, problems: v.problems.length ? v.problems : ['the answer was refused by the checks'] };
}

/** Some models wrap JSON in a Markdown fence even when asked for JSON only. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1] : text;
}

/** Restores inside string values after parsing, so a restored value can never break the JSON. */
function restoreDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.restore(value);
  if (Array.isArray(value)) return value.map((v) => restoreDeep(v, redactor));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreDeep(v, redactor)]));
  return value;
}

function positive(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0, not "${raw}"`);
  return n;
}
