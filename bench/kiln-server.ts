// Bench child: serves the seeded data dir with Kiln exactly as `kiln start` wires it (driver, store,
// root token from the environment, app), minus logging. Env: BENCH_DATA_DIR, BENCH_ROOT_TOKEN.
import { setupRootToken } from '../src/auth/root-token.ts';
import { openDriver } from '../src/data/open-driver.ts';
import { Store } from '../src/data/store.ts';
import { buildApp } from '../src/experience/app.ts';
import { FsBlobStore } from '../src/data/media/fs-blob-store.ts';
import { createGateway } from '../src/intelligence/gateway/gateway.ts';
import { readAiConfig } from '../src/intelligence/gateway/ai-config.ts';
import { allPrompts } from '../src/intelligence/prompts.ts';
import { join } from 'node:path';
import { requireEnv, serveAsChild } from './child.ts';
import { magazineSpec } from './spec.ts';

serveAsChild('kiln-server', async () => {
  const spec = magazineSpec();
  const driver = openDriver({ dataDir: requireEnv('BENCH_DATA_DIR'), appName: spec.name });
  const store = await Store.open(driver, spec);
  const rootToken = await setupRootToken(driver, requireEnv('BENCH_ROOT_TOKEN'));
  const gateway = await createGateway({ driver, config: readAiConfig({}), prompts: allPrompts, env: {} });
  const app = await buildApp({ store, rootToken, logger: false, blobs: new FsBlobStore(join(requireEnv('BENCH_DATA_DIR'), 'media')), gateway });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
});
