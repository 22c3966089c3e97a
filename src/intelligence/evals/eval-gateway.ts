// The gateway the evals run through: the same pipeline as `kiln start` (so a configured provider is
// evaluated exactly as it serves), with its call log in a private in-memory SQLite database that
// disappears when the run ends. Offline (the default, and CI's mode) no network is touched.
import { openSqlite } from '../../data/drivers/sqlite.ts';
import type { PromptDefinition } from '../gateway/prompts/prompt-definition.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { readAiConfig } from '../gateway/ai-config.ts';

export type EvalGateway = { gateway: Gateway; provider: string; close: () => Promise<void> };

export async function openEvalGateway(prompts: readonly PromptDefinition[], env: NodeJS.ProcessEnv = process.env): Promise<EvalGateway> {
  const config = readAiConfig(env);
  const driver = openSqlite({ file: ':memory:' });
  try {
    const gateway = await createGateway({ driver, config, prompts, env });
    gateway.start();
    return {
      gateway,
      provider: config.provider === 'offline' ? 'offline' : `${config.provider} ${config.model}`,
      close: async () => {
        try {
          await gateway.stop();
        } finally {
          await driver.close();
        }
      },
    };
  } catch (e) {
    await driver.close();
    throw e;
  }
}
