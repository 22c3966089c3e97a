// Which version of a prompt runs for a tenant: one OpenFeature flag per prompt, evaluated with the
// tenant as targeting key. A tenant named in the config gets its version; otherwise a stable hash of
// (prompt, tenant) puts it in a bucket 0..99 that the rollout splits between versions, and the rest
// gets whatever the "production" label points at when the call is made. A shadow version is
// returned beside the chosen one for the gateway to run, queue and score, never to answer with.
//
// The flags live in OpenFeature's in-memory provider, bound to a domain of its own per PromptFlags,
// so a provider set globally (or by another test) never decides a prompt version.
import { createHash, randomUUID } from 'node:crypto';
import { OpenFeature, TypedInMemoryProvider, type Client, type EvaluationContext, type InMemoryFlagConfiguration, type JsonValue } from '@openfeature/server-sdk';
import { z } from 'zod';
import type { PromptRegistry } from './prompt-registry.ts';

export type PromptFlagConfig = Record<
  string /* prompt name */,
  {
    /** Shares of tenants per version; they sum to at most 100, the rest gets the production label. */
    rollout?: { version: string; percent: number }[];
    /** tenant → version; wins over the rollout. */
    tenants?: Record<string, string>;
    /** A version that also runs, queued and scored, and is never returned. */
    shadow?: string;
  }
>;

export type PromptChoice = { version: string; shadow?: string };

const configSchema = z.record(
  z.string(),
  z.strictObject({
    rollout: z
      .array(z.strictObject({ version: z.string().min(1), percent: z.number().int().min(0).max(100) }))
      .refine((r) => r.reduce((sum, s) => sum + s.percent, 0) <= 100, 'the percentages add up to more than 100')
      .optional(),
    tenants: z.record(z.string(), z.string().min(1)).optional(),
    shadow: z.string().min(1).optional(),
  }),
);

function parseConfig(value: unknown, source: string): PromptFlagConfig {
  const r = configSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new Error(`${source} is invalid: ${issues.join('; ')}`);
}

/** KILN_AI_PROMPT_FLAGS as JSON, e.g. `{"builder.plan":{"rollout":[{"version":"v2","percent":30}]}}`; unset means no flags. */
export function readPromptFlagConfig(env: NodeJS.ProcessEnv = process.env): PromptFlagConfig {
  const raw = env.KILN_AI_PROMPT_FLAGS?.trim();
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`KILN_AI_PROMPT_FLAGS is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(json, 'KILN_AI_PROMPT_FLAGS');
}

/** The tenant's bucket for a prompt, 0..99: the same pair always lands in the same bucket. */
export function rolloutBucket(prompt: string, tenant: string): number {
  return createHash('sha256').update(`${prompt}\n${tenant}`, 'utf8').digest().readUInt32BE(0) % 100;
}

export class PromptFlags {
  readonly #registry: PromptRegistry;
  readonly #client: Client;

  constructor(registry: PromptRegistry, config: PromptFlagConfig) {
    const checked = parseConfig(config, 'prompt flag config');
    for (const [prompt, c] of Object.entries(checked)) {
      if (!registry.has(prompt)) throw new Error(`prompt flag config names prompt "${prompt}", which is not registered`);
      const named = [...(c.rollout ?? []).map((s) => s.version), ...Object.values(c.tenants ?? {}), ...(c.shadow ? [c.shadow] : [])];
      for (const version of named) {
        try {
          registry.version(prompt, version);
        } catch {
          throw new Error(`prompt flag config for "${prompt}" names version "${version}", which does not exist`);
        }
      }
    }
    this.#registry = registry;

    const flags: InMemoryFlagConfiguration = {};
    for (const { name, versions } of registry.list()) {
      const c = checked[name] ?? {};
      // One variant per version, carrying the shadow unless it is the chosen version itself.
      const variants: Record<string, JsonValue> = {};
      for (const v of versions) variants[v] = c.shadow && c.shadow !== v ? { version: v, shadow: c.shadow } : { version: v };
      flags[name] = {
        variants,
        defaultVariant: registry.labelled(name),
        disabled: false,
        contextEvaluator: (ctx: EvaluationContext) => this.#decide(name, c, String(ctx.targetingKey ?? '')),
      };
    }
    const domain = `kiln.prompt-flags.${randomUUID()}`;
    OpenFeature.setProvider(domain, new TypedInMemoryProvider(flags));
    this.#client = OpenFeature.getClient(domain);
  }

  async choose(prompt: string, tenant: string): Promise<PromptChoice> {
    const production = this.#registry.labelled(prompt);
    const { value } = await this.#client.getObjectDetails(prompt, { version: production }, { targetingKey: tenant });
    const choice = value as PromptChoice;
    return choice.shadow === undefined ? { version: choice.version } : { version: choice.version, shadow: choice.shadow };
  }

  #decide(prompt: string, c: PromptFlagConfig[string], tenant: string): string {
    if (c.tenants && Object.hasOwn(c.tenants, tenant)) return c.tenants[tenant];
    const bucket = rolloutBucket(prompt, tenant);
    let upTo = 0;
    for (const share of c.rollout ?? []) {
      upTo += share.percent;
      if (bucket < upTo) return share.version;
    }
    return this.#registry.labelled(prompt);
  }
}
