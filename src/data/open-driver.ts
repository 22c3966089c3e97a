// Chooses the storage driver from configuration: a postgres:// URL selects PostgreSQL, anything
// else (or nothing) the embedded SQLite file.
import { join } from 'node:path';
import type { StorageDriver } from './driver.ts';
import { openPostgres } from './drivers/postgres.ts';
import { openSqlite } from './drivers/sqlite.ts';

export type DriverConfig = { databaseUrl?: string; dataDir: string; appName: string };

export function openDriver(config: DriverConfig): StorageDriver {
  const url = config.databaseUrl?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) return openPostgres({ connectionString: url });
  if (url && url.startsWith('sqlite:')) return openSqlite({ file: url.slice('sqlite:'.length).replace(/^\/\//, '') });
  if (url) throw new Error(`KILN_DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got "${url.split(':')[0]}:…")`);
  return openSqlite({ file: join(config.dataDir, `${config.appName}.db`) });
}
