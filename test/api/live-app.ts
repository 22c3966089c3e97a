// An app served the way `kiln start` serves it: the live server (which switches to a new spec
// version when one is recorded) over a fresh database, started from a spec file in a temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Spec } from '../../src/spec/schema.ts';
import { writeSpecFile } from '../../src/spec/write-spec-file.ts';
import { openDriver } from '../../src/data/open-driver.ts';
import { Store } from '../../src/data/store.ts';
import { setupRootToken } from '../../src/auth/root-token.ts';
import { startLiveServer } from '../../src/experience/live-server.ts';
import { apiClient, blobsIn, freshDatabase, ROOT_TOKEN, testGateway, type DriverName, type TestApp } from '../harness.ts';

export type LiveApp = Omit<TestApp, 'store'> & {
  /** The spec file the server was started from. */
  specFile: string;
  /** The store of the spec version the server started with (later versions get their own). */
  store: Store;
  specVersion: () => number;
};

export async function startLiveApp(driverName: DriverName, spec: Spec, prepare?: (store: Store) => Promise<void>): Promise<LiveApp> {
  const db = await freshDatabase(driverName);
  const folder = mkdtempSync(join(tmpdir(), 'kiln-live-'));
  const specFile = join(folder, 'kiln.json');
  await writeSpecFile(specFile, spec);
  const driver = openDriver({ databaseUrl: db.env.KILN_DATABASE_URL, dataDir: db.env.KILN_DATA_DIR, appName: spec.name });
  const store = await Store.open(driver, spec);
  await prepare?.(store);
  const rootToken = await setupRootToken(driver, ROOT_TOKEN);
  const gateway = await testGateway(driver);
  let url = '';
  const { live, address } = await startLiveServer(
    {
      driver,
      store,
      specFile,
      rootToken,
      blobs: blobsIn(db.env.KILN_DATA_DIR),
      gateway,
      logger: false,
      identity: { config: { publicUrl: () => url, cookieCacheSeconds: 300 }, mail: { from: 'Kiln Test <kiln@example.test>' } },
      trustProxy: false,
    },
    0,
    '127.0.0.1',
  );
  url = address;
  return {
    url,
    dataDir: db.env.KILN_DATA_DIR,
    env: db.env,
    store,
    driver: driverName,
    specFile,
    specVersion: live.specVersion,
    api: apiClient(url),
    close: async () => {
      await live.close();
      await gateway.stop();
      await store.close();
      await db.drop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
