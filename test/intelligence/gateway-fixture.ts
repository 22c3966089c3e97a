// What the gateway suites share: a fresh database per driver, a gateway configured against a fake
// provider server, a small prompt with two versions, and a call whose checks and offline
// implementation are easy to see through.
import { freshDatabase, type DriverName } from '../harness.ts';
import { openDriver } from '../../src/data/open-driver.ts';
import type { StorageDriver } from '../../src/data/driver.ts';
import { readAiConfig } from '../../src/intelligence/gateway/ai-config.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/intelligence/gateway/gateway.ts';
import type { GatewayCall } from '../../src/intelligence/gateway/model-gateway.ts';
import type { PromptDefinition } from '../../src/intelligence/gateway/prompts/prompt-definition.ts';

export const PROMPT: PromptDefinition = {
  name: 'test.summarize',
  versions: {
    v1: { system: 'You summarize text. Answer JSON.', user: 'Summarize: {{text}}' },
    v2: { system: 'You write one-line summaries. Answer JSON only.', user: 'One line about: {{text}}' },
  },
  labels: { production: 'v1', canary: 'v2' },
};

export const SCHEMA = { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'], additionalProperties: false };

export type Summary = { summary: string };

/** A call of PROMPT: valid answers have a non-empty summary; offline answers "offline: <text>". */
export function summarize(tenant: string, text: string, extra: Partial<GatewayCall<Summary>> = {}): GatewayCall<Summary> {
  return {
    tenant,
    prompt: PROMPT.name,
    variables: { text },
    schema: SCHEMA,
    validate: (json) => {
      const s = (json as { summary?: unknown } | null)?.summary;
      if (typeof s !== 'string') return { ok: false, problems: ['/summary must be a string'] };
      if (s.trim() === '') return { ok: false, problems: ['/summary must not be empty'] };
      return { ok: true, value: { summary: s } };
    },
    offline: () => ({ summary: `offline: ${text}` }),
    ...extra,
  };
}

export type Db = { name: DriverName; driver: StorageDriver; env: { KILN_DATA_DIR: string; KILN_DATABASE_URL?: string }; close: () => Promise<void> };

/** A fresh database; `appName` names the SQLite file, as `kiln` commands find it from a spec's name. */
export async function openDb(name: DriverName, appName = 'gateway'): Promise<Db> {
  const fresh = await freshDatabase(name);
  const driver = openDriver({ databaseUrl: fresh.env.KILN_DATABASE_URL, dataDir: fresh.env.KILN_DATA_DIR, appName });
  return {
    name,
    driver,
    env: fresh.env,
    close: async () => {
      await driver.close();
      await fresh.drop();
    },
  };
}

/** A gateway on `db`, configured from `env` like a deployment (KILN_AI_*), with a fast queue. */
export async function gatewayFor(db: Db, env: Record<string, string> = {}, extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return createGateway({
    driver: db.driver,
    config: readAiConfig(env),
    prompts: [PROMPT],
    env,
    queue: { pollMs: 10, retryBaseMs: 10 },
    ...extra,
  });
}

export function remoteEnv(provider: 'openai' | 'anthropic', url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { KILN_AI_PROVIDER: provider, KILN_AI_BASE_URL: url, KILN_AI_API_KEY: 'sk-test', KILN_AI_MODEL: 'big-model', ...extra };
}
