// Which model provider Kiln uses, from the environment only (like src/cli/config.ts). The default is
// "offline": no network, every task runs its own offline implementation.

export type AiProviderName = 'offline' | 'openai' | 'anthropic';

type Shared = {
  /** Per provider request (KILN_AI_TIMEOUT_MS, default 60000). */
  timeoutMs: number;
  /** Model calls in flight per provider (KILN_AI_CONCURRENCY, default 4). */
  concurrency: number;
};

export type OfflineAiConfig = Shared & { provider: 'offline' };

export type RemoteAiConfig = Shared & {
  provider: 'openai' | 'anthropic';
  /** KILN_AI_BASE_URL without a trailing slash; defaults to the provider's public API. */
  baseUrl: string;
  apiKey: string | undefined;
  /** KILN_AI_MODEL. */
  model: string;
  /** KILN_AI_FALLBACK_MODEL: the smaller model used on the budget's hard cap or when the main model fails. */
  fallbackModel: string | undefined;
};

export type AiConfig = OfflineAiConfig | RemoteAiConfig;

/** A configuration problem, naming the variable to fix. */
export class AiConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'AiConfigError';
    this.variable = variable;
  }
}

export const DEFAULT_BASE_URLS: Readonly<Record<RemoteAiConfig['provider'], string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

export function readAiConfig(env: NodeJS.ProcessEnv = process.env): AiConfig {
  const provider = (value(env, 'KILN_AI_PROVIDER') ?? 'offline').toLowerCase();
  const shared: Shared = {
    timeoutMs: positiveInteger(env, 'KILN_AI_TIMEOUT_MS', 60_000),
    concurrency: positiveInteger(env, 'KILN_AI_CONCURRENCY', 4),
  };
  if (provider === 'offline') return { provider, ...shared };
  if (provider !== 'openai' && provider !== 'anthropic') {
    throw new AiConfigError('KILN_AI_PROVIDER', `"${env.KILN_AI_PROVIDER}" is not a provider; use offline, openai or anthropic `
      + '(Ollama, vLLM and llama.cpp server speak the openai format: set KILN_AI_BASE_URL to their /v1 address)');
  }
  const model = value(env, 'KILN_AI_MODEL');
  if (model === undefined) throw new AiConfigError('KILN_AI_MODEL', `required with KILN_AI_PROVIDER=${provider} (for example ${provider === 'openai' ? 'gpt-4o-mini' : 'claude-sonnet-4-5'})`);
  const baseUrl = httpUrl(env, provider);
  const apiKey = value(env, 'KILN_AI_API_KEY');
  // The public APIs refuse every call without a key; a local server (Ollama, vLLM, a proxy) may need none.
  if (apiKey === undefined && baseUrl === DEFAULT_BASE_URLS[provider]) {
    throw new AiConfigError('KILN_AI_API_KEY', `required for ${baseUrl}`);
  }
  return { provider, baseUrl, apiKey, model, fallbackModel: value(env, 'KILN_AI_FALLBACK_MODEL'), ...shared };
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new AiConfigError(name, `must be a whole number above 0, not "${env[name]}"`);
  return n;
}

function httpUrl(env: NodeJS.ProcessEnv, provider: RemoteAiConfig['provider']): string {
  const raw = value(env, 'KILN_AI_BASE_URL');
  if (raw === undefined) return DEFAULT_BASE_URLS[provider];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AiConfigError('KILN_AI_BASE_URL', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AiConfigError('KILN_AI_BASE_URL', `must be an http or https URL, not "${raw}"`);
  if (url.search !== '' || url.hash !== '') throw new AiConfigError('KILN_AI_BASE_URL', `must not carry a query or fragment: "${raw}"`);
  return raw.replace(/\/+$/, '');
}
