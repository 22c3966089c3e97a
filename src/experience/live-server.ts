// The HTTP server `kiln start` runs. It serves whichever app is current and swaps in a new one when
// `kiln migrate` (from any process) records a new spec version, so running servers follow a
// migration without a restart. Requests already in flight finish on the app they started on.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { StorageDriver } from '../data/driver.ts';
import { Store } from '../data/store.ts';
import { currentVersion } from '../data/migrate/history.ts';
import type { RootToken } from '../auth/root-token.ts';
import { buildApp, type AppOptions } from './app.ts';

export type LiveOptions = {
  driver: StorageDriver;
  store: Store;
  rootToken: RootToken;
  logger: AppOptions['logger'];
  version: string;
  pollMs?: number;
  blobs: AppOptions['blobs'];
  gateway: AppOptions['gateway'];
  onSwap?: (specVersion: number) => void;
  /** Applied to every store this server serves, including those built for later spec versions (e.g. to register change listeners). */
  prepareStore?: (store: Store) => void;
};

export type LiveServer = { server: Server; close: () => Promise<void>; specVersion: () => number };

export async function startLiveServer(o: LiveOptions, port: number, host: string): Promise<{ live: LiveServer; address: string }> {
  const build = async (store: Store) => {
    const app = await buildApp({ store, rootToken: o.rootToken, logger: o.logger, version: o.version, blobs: o.blobs, gateway: o.gateway });
    await app.ready();
    return app;
  };
  o.prepareStore?.(o.store);
  let app: FastifyInstance = await build(o.store);
  let loaded = (await currentVersion(o.driver))?.version ?? 0;
  const server = createServer((req, res) => app.routing(req, res));

  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const latest = await currentVersion(o.driver);
      if (latest && latest.version > loaded) {
        const previous = app;
        const next = await Store.open(o.driver, latest.spec);
        o.prepareStore?.(next);
        app = await build(next);
        loaded = latest.version;
        o.onSwap?.(loaded);
        // Let requests that started on the old app finish before it is closed.
        setTimeout(() => void previous.close(), 30_000).unref();
      }
    } catch (e) {
      app.log.error({ err: e }, 'could not load the latest spec version');
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(check, o.pollMs ?? 2000);
  timer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address();
  const address = typeof a === 'object' && a ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : String(a);
  return {
    address,
    live: {
      server,
      specVersion: () => loaded,
      close: async () => {
        clearInterval(timer);
        await new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        await app.close();
      },
    },
  };
}
