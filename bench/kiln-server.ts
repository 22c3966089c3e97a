// Bench child: serves the seeded data dir with Kiln exactly as `kiln start` wires it (driver, store,
// root token from the environment, app), minus logging. Env: BENCH_DATA_DIR, BENCH_ROOT_TOKEN;
// BENCH_AUTH=1 (the auth cases) adds an OAuth client to the spec and turns the credential rate
// limits off, since every sign-in of the load comes from one address.
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
import { BENCH_CLIENT, BENCH_REDIRECT } from './auth-spec.ts';

serveAsChild('kiln-server', async () => {
  const auth = process.env.BENCH_AUTH === '1';
  const spec = auth ? { ...magazineSpec(), auth: { clients: [{ id: BENCH_CLIENT, name: 'Bench', type: 'public' as const, redirectUris: [BENCH_REDIRECT] }] } } : magazineSpec();
  const driver = openDriver({ dataDir: requireEnv('BENCH_DATA_DIR'), appName: spec.name });
  const store = await Store.open(driver, spec);
  const rootToken = await setupRootToken(driver, requireEnv('BENCH_ROOT_TOKEN'));
  const gateway = await createGateway({ driver, config: readAiConfig({}), prompts: allPrompts, env: {} });
  let url = '';
  const app = await buildApp({
    store,
    rootToken,
    logger: false,
    blobs: new FsBlobStore(join(requireEnv('BENCH_DATA_DIR'), 'media')),
    gateway,
    // Links and the OAuth issuer name the port this child listens on, known only after listen.
    identity: { config: { publicUrl: () => url, cookieCacheSeconds: 300 }, mail: { from: 'Kiln Bench <bench@example.test>' } },
    ...(auth && { abuse: { perIp: 0, windowSeconds: 60, slowDownAfter: 0 } }),
  });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
});
