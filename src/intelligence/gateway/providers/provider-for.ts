// The configured provider. Offline is no provider at all: the gateway runs the task's own offline
// implementation, so there is nothing to call.
import type { AiConfig } from '../ai-config.ts';
import type { ModelProvider } from '../model-provider.ts';
import { AnthropicProvider } from './anthropic.ts';
import { OpenAiCompatibleProvider } from './openai-compatible.ts';

export function providerFor(config: AiConfig): ModelProvider | null {
  if (config.provider === 'offline') return null;
  if (config.provider === 'anthropic') {
    return new AnthropicProvider({ baseUrl: config.baseUrl, apiKey: config.apiKey, timeoutMs: config.timeoutMs });
  }
  return new OpenAiCompatibleProvider({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
    // OpenAI's reasoning models reject `max_tokens`; the compatible servers mostly know only that name.
    maxTokensField: new URL(config.baseUrl).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens',
  });
}
