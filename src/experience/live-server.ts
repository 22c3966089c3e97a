// The HTTP server `kiln start` runs. It serves whichever app is current and swaps in a new one when
// `kiln migrate` (from any process) records a new spec version, so running servers follow a
// migration without a restart; after an apply through its own builder route it switches before
// answering. Requests already in flight finish on the app they started on.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { StorageDriver } from '../data/driver.ts';
import { Store } from '../data/store.ts';
import { currentVersion } from '../data/migrate/history.ts';
import { buildApp, type AppOptions } from './app.ts';

export type LiveOptions = Omit<AppOptions, 'store' | 'builder'> & {
  driver: StorageDriver;
  store: Store;
  pollMs?: number;
  /** The spec file the server was started from: POST /api/builder/apply rewrites it. */
  specFile?: string;
  onSwap?: (specVersion: number) => void;
  /** Applied to every store this server serves, including those built for later spec versions (e.g. to register change listeners). */
  prepareStore?: (store: Store) => void;
};

export type LiveServer = { server: Server; close: () => Promise<void>; specVersion: () => number };

export async function startLiveServer(o: LiveOptions, port: number, host: string): Promise<{ live: LiveServer; address: string }> {
  const { driver, store, pollMs, specFile, onSwap, prepareStore, ...appOptions } = o;
  const build = async (s: Store) => {
    const built = await buildApp({ ...appOptions, store: s, builder: { specFile, onApplied: switchTo } });
    await built.ready();
    return built;
  };
  let loaded = 0;
  let checking: Promise<void> | undefined;
  // Apps replaced by a newer version, closed once the requests they were serving are done.
  const retiring = new Set<FastifyInstance>();
  const load = async () => {
    try {
      const latest = await currentVersion(driver);
      if (latest && latest.version > loaded) {
        const previous = app;
        const next = await Store.open(driver, latest.spec);
        prepareStore?.(next);
        app = await build(next);
        loaded = latest.version;
        onSwap?.(loaded);
        // Let requests that started on the old app finish before it is closed.
        retiring.add(previous);
        setTimeout(() => {
          retiring.delete(previous);
          void previous.close();
        }, 30_000).unref();
      }
    } catch (e) {
      app.log.error({ err: e }, 'could not load the latest spec version');
    }
  };
  const check = () => (checking ??= load().finally(() => (checking = undefined)));
  /** After an apply in this process: switch now rather than at the next poll. */
  async function switchTo(version: number): Promise<void> {
    await check();
    // A check that was already running may have read the versions before the migration committed.
    if (loaded < version) await check();
  }

  prepareStore?.(store);
  let app: FastifyInstance = await build(store);
  loaded = (await currentVersion(driver))?.version ?? 0;
  const server = createServer((req, res) => app.routing(req, res));

  const timer = setInterval(() => void check(), pollMs ?? 2000);
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
        await checking;
        await app.close();
        for (const old of retiring) await old.close();
        retiring.clear();
      },
    },
  };
}
