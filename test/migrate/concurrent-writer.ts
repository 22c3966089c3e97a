// Run as a separate process by migrate.test.ts: commits one write to an article the way another
// server would, while the test's process is inside a migration. Prints "committed" on success.
// argv: databaseUrl ('' for SQLite), dataDir, article id, new title.
import { openDriver } from '../../src/data/open-driver.ts';

const [databaseUrl, dataDir, id, title] = process.argv.slice(2);
let url = databaseUrl || undefined;
// A writer that waits on a lock the (blocked) parent holds must give up rather than hang.
if (url) url += `${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c lock_timeout=5000')}`;
const driver = openDriver({ databaseUrl: url, dataDir, appName: 'magazine' });
try {
  const r = await driver.db
    .updateTable('articles')
    .set({ title, updatedAt: driver.encodeTimestamp(new Date().toISOString()) })
    .where('id', '=', id)
    .executeTakeFirst();
  console.log(Number(r.numUpdatedRows) === 1 ? 'committed' : 'no row');
} catch (e) {
  console.log(`refused: ${(e as Error).message}`);
} finally {
  await driver.close();
}
