// Crash test, once per driver: a real `kiln start` process takes concurrent writes and is killed with
// SIGKILL mid-stream. After a restart on the same data every write that was acknowledged (201) must
// be there, unchanged. Writes still in flight at the kill may or may not exist.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { drivers, freshDatabase } from '../harness.ts';
import { killAll, request, startKiln, type KilnServer } from '../cli/kiln-process.ts';

const MAGAZINE = 'examples/magazine/kiln.json';
const TOKEN = 'crash-test-admin-token-0123456789abcdef';
const TENANT = 'crashco';
/** Acknowledged writes before the kill. */
const TARGET_ACKS = 300;
const WRITERS = 8;
const READ_CONCURRENCY = 16;

type Ack = { collection: 'authors' | 'articles' | 'tags'; id: string; data: Record<string, unknown> };

after(killAll);

for (const driver of await drivers()) {
  describe(`crash recovery on ${driver}`, () => {
    test(`every acknowledged write survives SIGKILL mid-stream (${driver})`, { timeout: 600_000 }, async (t) => {
      const db = await freshDatabase(driver);
      const servers: KilnServer[] = [];
      t.after(async () => {
        for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
        await Promise.all(servers.map((s) => s.exited));
        await db.drop();
      });
      const env = { ...db.env, KILN_ADMIN_TOKEN: TOKEN };
      const base = `/api/t/${TENANT}`;

      // ---- first life ----
      const first = await startKiln([MAGAZINE], env);
      servers.push(first);
      assert.equal(first.driver, driver);

      const tenant = await request(first.url, '/api/tenants', { body: { slug: TENANT, name: 'Crash Co' }, token: TOKEN });
      assert.equal(tenant.status, 201, JSON.stringify(tenant.body));

      const acks: Ack[] = [];
      const tagIds: string[] = [];
      for (const name of ['alpha', 'beta', 'gamma']) {
        const r = await request(first.url, `${base}/tags`, { body: { name }, token: TOKEN });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        acks.push({ collection: 'tags', id: r.body.data.id, data: r.body.data });
        tagIds.push(r.body.data.id);
      }
      const authorIds: string[] = [];

      let killed = false;
      let inFlight = 0;
      let inFlightAtKill = -1;
      const unexpected: string[] = [];

      const writer = async (w: number) => {
        for (let i = 0; !killed; i++) {
          let collection: Ack['collection'];
          let body: Record<string, unknown>;
          if (i % 3 === 2 && authorIds.length > 0) {
            collection = 'articles';
            body = {
              title: `Article ${w}-${i}`,
              summary: `Written by writer ${w}, round ${i}.`,
              status: i % 2 ? 'published' : 'draft',
              publishedAt: '2026-01-31T09:30:00+02:00',
              readingMinutes: i % 60,
              price: `${i}.5`,
              featured: i % 2 === 0,
              metadata: { writer: w, round: i, nested: [1, 'two', { three: true }] },
              author: authorIds[(w * 7 + i) % authorIds.length],
              tags: tagIds.slice(0, 1 + (i % tagIds.length)),
            };
          } else {
            collection = 'authors';
            body = { name: `Author ${w}-${i}`, email: `w${w}.n${i}@example.com`, bio: `Bio ${w}/${i} ✓`, website: `https://example.com/${w}/${i}` };
          }
          inFlight++;
          let r;
          try {
            r = await request(first.url, `${base}/${collection}`, { body, token: TOKEN });
          } catch (e) {
            // After the kill, connection errors are what a client sees; before it, they are failures.
            if (!killed) unexpected.push(`writer ${w} round ${i}: ${(e as Error).message}`);
            return;
          } finally {
            inFlight--;
          }
          if (r.status !== 201) {
            unexpected.push(`writer ${w} round ${i}: ${collection} got ${r.status} ${JSON.stringify(r.body)}`);
            return;
          }
          acks.push({ collection, id: r.body.data.id, data: r.body.data });
          if (collection === 'authors') authorIds.push(r.body.data.id);
          if (acks.length >= TARGET_ACKS && !killed) {
            // Kill right now, while the other writers' requests are out.
            killed = true;
            inFlightAtKill = inFlight;
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      assert.deepEqual(unexpected, [], 'no write failed before the kill');
      assert.ok(killed, 'the server was killed');
      const exit = await first.exited;
      assert.equal(exit.signal, 'SIGKILL', `the server died of the kill, not otherwise: ${JSON.stringify(exit)}\n${first.stderr()}`);
      assert.ok(inFlightAtKill > 0, 'writes were in flight when the server was killed');
      const articleAcks = acks.filter((a) => a.collection === 'articles').length;
      const authorAcks = acks.filter((a) => a.collection === 'authors').length;
      assert.ok(articleAcks > 0 && authorAcks > 0, `both kinds of write were acknowledged: ${authorAcks} authors, ${articleAcks} articles`);
      t.diagnostic(`${acks.length} acknowledged (${authorAcks} authors, ${articleAcks} articles, 3 tags); ${inFlightAtKill} in flight at the kill`);

      // ---- second life, same data ----
      const second = await startKiln([MAGAZINE], env);
      servers.push(second);

      const missing: string[] = [];
      const changed: string[] = [];
      let next = 0;
      const reader = async () => {
        while (next < acks.length) {
          const ack = acks[next++];
          const r = await request(second.url, `${base}/${ack.collection}/${ack.id}`, { token: TOKEN });
          if (r.status !== 200) missing.push(`${ack.collection}/${ack.id}: ${r.status} ${JSON.stringify(r.body)}`);
          else {
            try {
              assert.deepEqual(r.body.data, ack.data);
            } catch {
              changed.push(`${ack.collection}/${ack.id}: acknowledged ${JSON.stringify(ack.data)}, read ${JSON.stringify(r.body.data)}`);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: READ_CONCURRENCY }, reader));
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${acks.length} acknowledged writes are missing after the crash`);
      assert.deepEqual(changed.slice(0, 5), [], `${changed.length} acknowledged writes read back differently after the crash`);

      // The restarted server answers normally: health, lists, reads and new writes.
      const health = await request(second.url, '/api/health');
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok', app: 'magazine', driver });

      const authors = await request(second.url, `${base}/authors?meta=total_count&limit=200`, { token: TOKEN });
      assert.equal(authors.status, 200, JSON.stringify(authors.body));
      assert.ok(authors.body.meta.total_count >= authorAcks, `list counts ${authors.body.meta.total_count} authors, ${authorAcks} were acknowledged`);
      assert.ok(authors.body.meta.total_count <= authorAcks + WRITERS, 'at most one unacknowledged author per writer was in flight');

      // As an editor: readers would see only the published articles.
      const articles = await request(second.url, `${base}/articles?meta=total_count&expand=author,tags&limit=50`, { token: TOKEN });
      assert.equal(articles.status, 200, JSON.stringify(articles.body));
      assert.ok(articles.body.meta.total_count >= articleAcks);
      for (const a of articles.body.data) {
        assert.equal(typeof a.author, 'object', 'expanded author');
        assert.ok(Array.isArray(a.tags) && a.tags.every((x: unknown) => typeof x === 'object'), 'expanded tags');
      }

      const fresh = await request(second.url, `${base}/authors`, { body: { name: 'After the crash', email: 'after@example.com' }, token: TOKEN });
      assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
      const again = await request(second.url, `${base}/authors/${fresh.body.data.id}`);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.data, fresh.body.data);

      const article = await request(second.url, `${base}/articles`, { body: { title: 'Post-crash article', author: fresh.body.data.id, tags: tagIds }, token: TOKEN });
      assert.equal(article.status, 201, JSON.stringify(article.body));

      // A unique value taken by an acknowledged write is still taken.
      const firstAuthor = acks.find((a) => a.collection === 'authors')!;
      const dup = await request(second.url, `${base}/authors`, { body: { name: 'Dup', email: firstAuthor.data.email }, token: TOKEN });
      assert.equal(dup.status, 409, JSON.stringify(dup.body));

      const stopped = await second.stop();
      assert.deepEqual(stopped, { code: 0, signal: null }, second.stderr());

      if (driver === 'sqlite') {
        const file = new DatabaseSync(join(db.env.KILN_DATA_DIR, 'magazine.db'), { readOnly: true });
        try {
          assert.deepEqual(file.prepare('pragma integrity_check').all().map((r) => r.integrity_check), ['ok']);
          assert.deepEqual(file.prepare('pragma foreign_key_check').all(), []);
        } finally {
          file.close();
        }
      }
    });
  });
}
