// migrate() against a real database per driver, with the magazine seed in the tables: the gate
// (breaking needs consent, backfills need values), dry runs, failures that roll back completely,
// renames without data loss, type and relation conversions, and rollback to an earlier version.
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { migrate, type MigrationReport } from '../../src/data/migrate/migrate.ts';
import { listVersions } from '../../src/data/migrate/history.ts';
import { rollbackTarget } from '../../src/data/migrate/rollback.ts';
import { Store } from '../../src/data/store.ts';
import { DataError } from '../../src/data/errors.ts';
import { setupRootToken } from '../../src/auth/root-token.ts';
import { buildApp } from '../../src/experience/app.ts';
import { diffSpecs } from '../../src/spec/diff.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { ROOT_TOKEN, blobsIn, drivers, testGateway } from '../harness.ts';
import { allItems, dumpDatabase, magazineWith, plainMagazine, renameCollection, renameField, scope, seededMagazine, type Db, type Json } from './helpers.ts';

const NW = scope('northwind');
const WRITER = fileURLToPath(new URL('./concurrent-writer.ts', import.meta.url));

async function withDb(d: Parameters<typeof seededMagazine>[0], work: (db: Db) => Promise<void>): Promise<void> {
  const db = await seededMagazine(d);
  try {
    await work(db);
  } finally {
    await db.close();
  }
}

const summary = (r: MigrationReport) => JSON.stringify({ applied: r.applied, verdict: r.verdict, refused: r.refused, failures: r.failures.slice(0, 10) }, null, 2);

/** Ids named by the failures of a report for one field. */
const failedIds = (r: MigrationReport, field: string) =>
  r.failures
    .filter((f) => f.field === field)
    .map((f) => f.id)
    .sort();

/** A spec with its renamedFrom marks removed: the shape a rollback target stands for. */
function withoutRenames(spec: Spec): Spec {
  const s = structuredClone(spec) as Json;
  for (const col of Object.values(s.collections) as Json[]) {
    delete col.renamedFrom;
    for (const f of Object.values(col.fields) as Json[]) delete f.renamedFrom;
  }
  return s as Spec;
}

async function expectRejectedWrite(work: Promise<unknown>, kind: string, field?: string) {
  await assert.rejects(work, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    if (field) assert.ok(e.errors.some((p) => p.field === field), JSON.stringify(e.errors));
    return true;
  });
}

for (const d of await drivers()) {
  describe(`migrate on ${d}`, () => {
    it('(a) a safe additive change applies without flags, keeps the data, and the new field is writable', () =>
      withDb(d, async ({ driver }) => {
        const articlesBefore = await allItems((await Store.open(driver, plainMagazine())), 'articles');
        assert.equal(articlesBefore.size, 24);
        const next = magazineWith((s) => {
          s.collections.articles.fields.subtitle = { type: 'string', max: 200 };
          s.collections.newsletters = { fields: { name: { type: 'string', required: true }, issue: { type: 'integer' } } };
        });
        const progress: { table: string; copied: number; total: number }[] = [];
        const r = await migrate(driver, next, { author: 'migrate test', onProgress: (p) => progress.push(p) });
        assert.equal(r.verdict, 'safe');
        assert.deepEqual(r.refused, []);
        assert.deepEqual(r.failures, []);
        assert.equal(r.applied, true, summary(r));
        assert.equal(r.fromVersion, 1);
        assert.equal(r.toVersion, 2);
        assert.deepEqual(
          r.changes.map((c) => `${c.kind} ${c.class}`).sort(),
          ['collection.added safe', 'field.added safe'],
        );
        assert.ok(progress.some((p) => p.table === 'articles' && p.copied === 24 && p.total === 24), JSON.stringify(progress));

        const store = await Store.open(driver, next);
        const after = await allItems(store, 'articles');
        assert.equal(after.size, 24);
        for (const [id, before] of articlesBefore) {
          const a = after.get(id);
          assert.ok(a, `article ${id} is gone`);
          assert.equal(a.subtitle, null);
          const { subtitle: _s, ...rest } = a;
          assert.deepEqual(rest, before, `article ${id} changed`);
        }
        const nwId = (await store.list(NW, 'articles', { limit: '1' })).data[0].id as string;
        const updated = await store.update(NW, 'articles', nwId, { subtitle: 'A new line' });
        assert.equal(updated.subtitle, 'A new line');
        assert.equal((await store.get(NW, 'articles', nwId)).subtitle, 'A new line');
        const created = await store.create(NW, 'newsletters', { name: 'Weekly', issue: 1 });
        assert.equal((await store.get(NW, 'newsletters', created.id as string)).name, 'Weekly');
        // Old writes still validate as before: a subtitle over its max is refused.
        await expectRejectedWrite(store.update(NW, 'articles', nwId, { subtitle: 'x'.repeat(201) }), 'invalid_body', 'subtitle');

        const versions = await listVersions(driver);
        assert.deepEqual(versions.map((v) => v.version), [1, 2]);
        assert.equal(versions[1].author, 'migrate test');
        assert.deepEqual(versions[1].spec, next);
        assert.deepEqual(versions[1].plan.map((c) => c.kind).sort(), ['collection.added', 'field.added']);
        assert.notEqual(versions[0].hash, versions[1].hash);
      }));

    it('(b) a dry run of a breaking plan changes nothing in any table, and reports its SQL and rows', () =>
      withDb(d, async ({ driver }) => {
        const next = magazineWith((s) => {
          delete s.collections.articles.fields.summary;
          renameCollection(s, 'tags', 'labels');
          s.collections.articles.fields.readingMinutes = { type: 'number', min: 0, max: 600 };
          s.collections.articles.fields.rating = { type: 'integer', required: true, default: 3 };
        });
        const before = await dumpDatabase(driver);
        assert.ok(Object.keys(before).some((t) => t.startsWith('kiln_')), `the dump must include Kiln's system tables: ${Object.keys(before).join(', ')}`);
        assert.ok(before.articles.rows.length === 24 && before.articles__tags.rows.length > 0);

        const r = await migrate(driver, next, { dryRun: true, allowBreaking: true });
        assert.equal(r.verdict, 'breaking');
        assert.deepEqual(r.refused, []);
        assert.deepEqual(r.failures, [], summary(r));
        assert.equal(r.applied, false, 'a dry run is never applied');
        assert.equal(r.toVersion, 2, 'a successful dry run says which version it would create');
        assert.ok(r.statements.some((s) => /create table/i.test(s)), r.statements.join('\n'));
        assert.ok(r.statements.some((s) => /drop table/i.test(s)), r.statements.join('\n'));
        assert.ok(r.statements.some((s) => /^-- copy 24 rows of articles/.test(s)), r.statements.join('\n'));
        assert.deepEqual(
          [...r.rows].sort((a, b) => a.collection.localeCompare(b.collection)),
          [
            { collection: 'articles', copied: 24 },
            { collection: 'labels', copied: 12 },
          ],
        );

        const after = await dumpDatabase(driver);
        assert.deepEqual(Object.keys(after), Object.keys(before), 'the set of tables changed');
        assert.deepEqual(after, before);
        assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1]);

        // The same plan, applied, works: the dry run left nothing behind that gets in the way.
        const applied = await migrate(driver, next, { allowBreaking: true });
        assert.equal(applied.applied, true, summary(applied));
        assert.deepEqual(applied.statements.filter((s) => !s.startsWith('--')), r.statements.filter((s) => !s.startsWith('--')));
        const store = await Store.open(driver, next);
        const articles = await allItems(store, 'articles');
        assert.equal(articles.size, 24);
        for (const a of articles.values()) {
          assert.equal(a.rating, 3);
          assert.ok(!('summary' in a));
        }
      }));

    it('(c) a breaking change is refused without allowBreaking and changes nothing; with it, it applies', () =>
      withDb(d, async ({ driver }) => {
        const next = magazineWith((s) => delete s.collections.articles.fields.summary);
        const before = await dumpDatabase(driver);
        const refused = await migrate(driver, next);
        assert.equal(refused.verdict, 'breaking');
        assert.equal(refused.applied, false);
        assert.equal(refused.toVersion, null);
        assert.equal(refused.refused.length, 1, summary(refused));
        assert.match(refused.refused[0], /articles\.summary/);
        assert.deepEqual(refused.statements, []);
        assert.deepEqual(await dumpDatabase(driver), before);
        assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1]);

        // A dry run without consent is refused the same way.
        const dry = await migrate(driver, next, { dryRun: true });
        assert.equal(dry.refused.length, 1);

        const titles = new Map([...(await allItems(await Store.open(driver, plainMagazine()), 'articles'))].map(([id, a]) => [id, a.title]));
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        assert.equal(r.toVersion, 2);
        const store = await Store.open(driver, next);
        const after = await allItems(store, 'articles');
        assert.deepEqual(new Map([...after].map(([id, a]) => [id, a.title])), titles);
        for (const a of after.values()) assert.ok(!('summary' in a), 'the removed field is still returned');
        await expectRejectedWrite(store.update(NW, 'articles', [...(await allItems(store, 'articles')).keys()][0], { summary: 'x' }), 'invalid_body');
        assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1, 2]);
      }));

    describe('(d) backfill', () => {
      const rating = (extra: Json = {}) => magazineWith((s) => (s.collections.articles.fields.rating = { type: 'integer', required: true, min: 1, max: 5, ...extra }));

      it('a new required field without a value fails naming every row and rolls back completely', () =>
        withDb(d, async ({ driver, store }) => {
          const ids = [...(await allItems(store, 'articles')).keys()].sort();
          const before = await dumpDatabase(driver);
          const r = await migrate(driver, rating());
          assert.equal(r.verdict, 'backfill');
          assert.deepEqual(r.refused, [], 'backfill changes are not refused by the gate; missing values fail the run');
          assert.equal(r.applied, false);
          assert.deepEqual(failedIds(r, 'rating'), ids, 'every existing article is named');
          for (const f of r.failures) {
            assert.equal(f.collection, 'articles');
            assert.match(f.message, /--backfill articles\.rating=/);
          }
          assert.deepEqual(await dumpDatabase(driver), before);
          assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1]);
          // The old schema is in place: writes with the old spec still work.
          const author = [...(await allItems(store, 'authors')).values()].find((a) => (a.email as string).includes('northwind'))!;
          const created = await store.create(NW, 'articles', { title: 'After a failed migration', author: author.id });
          assert.equal((await store.get(NW, 'articles', created.id as string)).title, 'After a failed migration');
          // And a store opened afresh with the old spec finds its tables unchanged.
          await Store.open(driver, plainMagazine());
        }));

      it('with a backfill value every existing item gets it, and new writes must send the field', () =>
        withDb(d, async ({ driver, store }) => {
          const ids = [...(await allItems(store, 'articles')).keys()].sort();
          const next = rating();
          const r = await migrate(driver, next, { backfills: new Map([['articles.rating', 3]]) });
          assert.equal(r.applied, true, summary(r));
          assert.equal(r.verdict, 'backfill');
          const s2 = await Store.open(driver, next);
          const after = await allItems(s2, 'articles');
          assert.deepEqual([...after.keys()].sort(), ids);
          for (const a of after.values()) assert.equal(a.rating, 3, `article ${a.id as string}`);
          const author = [...(await allItems(s2, 'authors')).values()].find((a) => (a.email as string).includes('northwind'))!;
          await expectRejectedWrite(s2.create(NW, 'articles', { title: 'No rating', author: author.id }), 'invalid_body', 'rating');
          const ok = await s2.create(NW, 'articles', { title: 'Rated', author: author.id, rating: 5 });
          assert.equal(ok.rating, 5);
        }));

      it('a default fills existing items when no backfill is given', () =>
        withDb(d, async ({ driver }) => {
          const next = rating({ default: 4 });
          const r = await migrate(driver, next);
          assert.equal(r.applied, true, summary(r));
          for (const a of (await allItems(await Store.open(driver, next), 'articles')).values()) assert.equal(a.rating, 4);
        }));

      it('a backfill value the field does not accept fails, is named, and rolls back completely', () =>
        withDb(d, async ({ driver }) => {
          const before = await dumpDatabase(driver);
          const r = await migrate(driver, rating(), { backfills: new Map([['articles.rating', 9]]) });
          assert.equal(r.applied, false);
          assert.ok(r.failures.length > 0);
          assert.ok(
            r.failures.some((f) => f.collection === 'articles' && f.field === 'rating' && /backfill value/.test(f.message) && /5/.test(f.message)),
            JSON.stringify(r.failures.slice(0, 5)),
          );
          assert.deepEqual(await dumpDatabase(driver), before);
          assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1]);
        }));

      it('making a field unique while items share a value fails naming the value, and rolls back completely', () =>
        withDb(d, async ({ driver, store }) => {
            // Two northwind articles get the same summary.
          const mine = (await store.list(NW, 'articles', { limit: '100' })).data.slice(0, 2);
          assert.equal(mine.length, 2);
          for (const a of mine) await store.update(NW, 'articles', a.id as string, { summary: 'Shared summary' });
          const before = await dumpDatabase(driver);
          const next = magazineWith((s) => (s.collections.articles.fields.summary.unique = true));
          const r = await migrate(driver, next, { allowBreaking: true });
          assert.equal(r.applied, false, summary(r));
          assert.ok(
            r.failures.some((f) => f.collection === 'articles' && f.field === 'summary' && f.message.includes('Shared summary')),
            JSON.stringify(r.failures),
          );
          assert.deepEqual(await dumpDatabase(driver), before);
          assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1]);
          // Values shared only across tenants are fine: unique is per tenant.
          for (const a of mine) await store.update(NW, 'articles', a.id as string, { summary: `Own summary ${a.id as string}` });
          const harbor = (await store.list(scope('harbor'), 'articles', { limit: '1' })).data[0];
          await store.update(scope('harbor'), 'articles', harbor.id as string, { summary: `Own summary ${mine[0].id as string}` });
          const ok = await migrate(driver, next, { allowBreaking: true });
          assert.equal(ok.applied, true, summary(ok));
          const s2 = await Store.open(driver, next);
          await expectRejectedWrite(s2.update(NW, 'articles', mine[1].id as string, { summary: `Own summary ${mine[0].id as string}` }), 'conflict', 'summary');
        }));

      /** Adds required fields with defaults; existing items must get exactly what a new item gets. */
      const defaultsMatchNewItems = (fields: Json, expected: Json) =>
        withDb(d, async ({ driver }) => {
          const next = magazineWith((s) => Object.assign(s.collections.articles.fields, fields));
          let r: MigrationReport;
          try {
            r = await migrate(driver, next);
          } catch (e) {
            assert.fail(`migrate threw instead of applying or reporting: ${(e as Error).stack ?? String(e)}`);
          }
          assert.equal(r.applied, true, summary(r));
          const s2 = await Store.open(driver, next);
          const author = [...(await allItems(s2, 'authors')).values()].find((a) => (a.email as string).includes('northwind'))!;
          const fresh = await s2.create(NW, 'articles', { title: 'Fresh', author: author.id });
          const pick = (a: Json) => Object.fromEntries(Object.keys(fields).map((k) => [k, a[k]]));
          assert.deepEqual(pick(fresh), expected);
          for (const a of (await allItems(s2, 'articles')).values()) assert.deepEqual(pick(a), expected, `article ${a.id as string} got a different default than a new item`);
          // Filtering on a defaulted value finds the existing items as well as the new one (13 in northwind).
          for (const [k, v] of Object.entries(expected)) {
            if (Array.isArray(v) || typeof v === 'object') continue;
            const found = await s2.list(NW, 'articles', { filter: { [k]: { _eq: String(v) } }, limit: '100' });
            assert.equal(found.data.length, 13, `filter ${k} = ${String(v)}`);
          }
        });

      it('a default fills existing items as it fills new ones: date, boolean, enum list, json', () =>
        defaultsMatchNewItems(
          {
            day: { type: 'date', required: true, default: '2026-02-03' },
            flag: { type: 'boolean', required: true, default: true },
            kinds: { type: 'enum', values: ['a', 'b'], multiple: true, required: true, default: ['b', 'a'] },
            extra: { type: 'json', required: true, default: { x: 1 } },
            note: { type: 'string', required: true, default: 'n/a' },
          },
          { day: '2026-02-03', flag: true, kinds: ['b', 'a'], extra: { x: 1 }, note: 'n/a' },
        ));

      it('a decimal default written as a JSON number fills existing items (canonical "1.50")', () =>
        defaultsMatchNewItems({ fee: { type: 'decimal', precision: 10, scale: 2, required: true, default: 1.5 } }, { fee: '1.50' }));

      it('a datetime default not in canonical form fills existing items in canonical form', () =>
        defaultsMatchNewItems({ due: { type: 'datetime', required: true, default: '2026-01-01T10:00:00Z' } }, { due: '2026-01-01T10:00:00.000Z' }));

      it('turning required on for an existing field needs a value for the items without one', () =>
        withDb(d, async ({ driver, store }) => {
          const some = (await store.list(NW, 'articles', { limit: '3' })).data;
          for (const a of some) await store.update(NW, 'articles', a.id as string, { summary: null });
          const others = new Map([...(await allItems(store, 'articles'))].map(([id, a]) => [id, a.summary]));
          const next = magazineWith((s) => (s.collections.articles.fields.summary.required = true));
          const before = await dumpDatabase(driver);
          const r = await migrate(driver, next);
          assert.equal(r.verdict, 'backfill');
          assert.equal(r.applied, false);
          assert.deepEqual(failedIds(r, 'summary'), some.map((a) => a.id as string).sort());
          assert.deepEqual(await dumpDatabase(driver), before);
          const ok = await migrate(driver, next, { backfills: new Map([['articles.summary', 'No summary yet']]) });
          assert.equal(ok.applied, true, summary(ok));
          const after = await allItems(await Store.open(driver, next), 'articles');
          for (const [id, was] of others) assert.equal(after.get(id)!.summary, was ?? 'No summary yet', `article ${id}`);
        }));

      it('a backfill that gives a unique field the same value on every item fails naming the value', () =>
        withDb(d, async ({ driver }) => {
          const before = await dumpDatabase(driver);
          const next = magazineWith((s) => (s.collections.articles.fields.code = { type: 'string', required: true, unique: true }));
          const r = await migrate(driver, next, { allowBreaking: true, backfills: new Map([['articles.code', 'same']]) });
          assert.equal(r.applied, false, summary(r));
          assert.ok(r.failures.some((f) => f.collection === 'articles' && f.field === 'code' && f.message.includes('"same"')), JSON.stringify(r.failures));
          assert.deepEqual(await dumpDatabase(driver), before);
        }));
    });

    it('(e) renaming fields and collections keeps every value and link; the API path changes', () =>
      withDb(d, async ({ driver, store }) => {
        const articles = await allItems(store, 'articles');
        const tags = await allItems(store, 'tags');
        const authors = await allItems(store, 'authors');
        assert.ok([...articles.values()].every((a) => (a.tags as string[]).length === 2));
        const next = magazineWith((s) => {
          renameCollection(s, 'tags', 'labels');
          renameCollection(s, 'authors', 'writers');
          renameField(s, 'articles', 'summary', 'abstract');
          renameField(s, 'articles', 'tags', 'labels');
          renameField(s, 'writers', 'bio', 'biography');
        });
        const kinds = diffSpecs(plainMagazine(), next).map((c) => c.kind);
        assert.ok(!kinds.includes('field.removed') && !kinds.includes('collection.removed') && !kinds.includes('relation.changed'), kinds.join(', '));

        const refused = await migrate(driver, next);
        assert.ok(refused.refused.length > 0, 'renames change the API, so they need consent');
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));

        const s2 = await Store.open(driver, next);
        const after = await allItems(s2, 'articles');
        assert.equal(after.size, articles.size);
        for (const [id, a] of articles) {
          const b = after.get(id)!;
          assert.ok(b, `article ${id} is gone`);
          assert.equal(b.abstract, a.summary);
          assert.deepEqual(b.labels, a.tags, `links of article ${id}, in order`);
          assert.equal(b.author, a.author);
          assert.equal(b.title, a.title);
          assert.equal(b.category, a.category);
          assert.ok(!('summary' in b) && !('tags' in b));
        }
        const labels = await allItems(s2, 'labels');
        assert.deepEqual(new Map([...labels].map(([id, t]) => [id, [t.name, t.slug]])), new Map([...tags].map(([id, t]) => [id, [t.name, t.slug]])));
        const writers = await allItems(s2, 'writers');
        assert.deepEqual(new Map([...writers].map(([id, w]) => [id, [w.name, w.email, w.biography]])), new Map([...authors].map(([id, a]) => [id, [a.name, a.email, a.bio]])));

        // Expanding across the renamed relations.
        const nwArticle = (await s2.list(NW, 'articles', { limit: '1' })).data[0];
        const expanded = await s2.get(NW, 'articles', nwArticle.id as string, { expand: 'labels,author' });
        const old = articles.get(nwArticle.id as string)!;
        assert.deepEqual((expanded.labels as { name: string }[]).map((l) => l.name), (old.tags as string[]).map((t) => tags.get(t)!.name));
        assert.equal((expanded.author as { name: string }).name, authors.get(old.author as string)!.name);
        // A filter through the renamed many-relation works.
        const firstLabel = (old.tags as string[])[0];
        const filtered = await s2.list(NW, 'articles', { filter: { labels: { _contains: firstLabel } }, limit: '100' });
        const expectedIds = [...articles.values()].filter((a) => (a.tags as string[]).includes(firstLabel)).map((a) => a.id as string).sort();
        assert.deepEqual(filtered.data.map((x) => x.id as string).sort(), expectedIds);
        // And through the renamed to-one relation into the renamed collection.
        const authorName = authors.get(old.author as string)!.name as string;
        const byAuthor = await s2.list(NW, 'articles', { filter: { author: { name: { _eq: authorName } } }, limit: '100' });
        assert.ok(byAuthor.data.length > 0 && byAuthor.data.every((x) => x.author === old.author));

        // The links still hold: a label still linked from an article can be read, and writes to the renamed fields work.
        const updated = await s2.update(NW, 'articles', nwArticle.id as string, { abstract: 'Renamed abstract', labels: [firstLabel] });
        assert.equal(updated.abstract, 'Renamed abstract');
        assert.deepEqual(updated.labels, [firstLabel]);

        // Over HTTP: the old paths are gone, the new ones serve the same items.
        const rootToken = await setupRootToken(driver, ROOT_TOKEN);
        const app = await buildApp({ store: s2, rootToken, blobs: blobsIn(tmpdir()), gateway: await testGateway(driver) });
        try {
          const get = async (url: string) => {
            const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ROOT_TOKEN}` } });
            return { status: res.statusCode, body: res.json() as Json };
          };
          assert.equal((await get('/api/t/northwind/tags')).status, 404);
          assert.equal((await get('/api/t/northwind/authors')).status, 404);
          const l = await get('/api/t/northwind/labels?limit=100');
          assert.equal(l.status, 200);
          assert.equal(l.body.data.length, 6);
          const w = await get('/api/t/northwind/writers?limit=100');
          assert.equal(w.status, 200);
          assert.equal(w.body.data.length, 4);
          const a = await get(`/api/t/northwind/articles/${nwArticle.id as string}?expand=author`);
          assert.equal(a.status, 200);
          assert.equal(a.body.data.author.name, authors.get(old.author as string)!.name);
          assert.equal(a.body.data.abstract, 'Renamed abstract');
        } finally {
          await app.close();
        }
      }));

    it('(e) an item keeps its revision history through a field rename and a collection rename', () =>
      withDb(d, async ({ driver, store }) => {
        const a = (await store.list(NW, 'articles', { limit: '1' })).data[0];
        await store.update(NW, 'articles', a.id as string, { summary: 'Second revision' });
        const kinds = async (s: Store, collection: string) => (await s.revisions(NW, collection, a.id as string)).map((r) => `${r.revision} ${r.type}`);
        assert.deepEqual(await kinds(store, 'articles'), ['1 create', '2 update']);

        const v2 = magazineWith((s) => renameField(s, 'articles', 'summary', 'abstract'));
        assert.equal((await migrate(driver, v2, { allowBreaking: true })).applied, true);
        const s2 = await Store.open(driver, v2);
        assert.deepEqual(await kinds(s2, 'articles'), ['1 create', '2 update', '3 migrate']);
        assert.equal((await s2.revision(NW, 'articles', a.id as string, 3)).data?.abstract, 'Second revision');

        const v3 = magazineWith((s) => {
          renameField(s, 'articles', 'summary', 'abstract');
          delete s.collections.articles.fields.abstract.renamedFrom;
          renameCollection(s, 'articles', 'stories');
        });
        assert.equal((await migrate(driver, v3, { allowBreaking: true })).applied, true);
        const s3 = await Store.open(driver, v3);
        assert.deepEqual(await kinds(s3, 'stories'), ['1 create', '2 update', '3 migrate', '4 migrate'], 'the revisions from before the collection rename are no longer reachable under its new name');
      }));

    it('(e) renaming a collection with a relation to itself keeps the links between its items', () =>
      withDb(d, async ({ driver, store }) => {
        const cats = (await store.list(NW, 'categories', { limit: '10', sort: 'name' })).data;
        await store.update(NW, 'categories', cats[1].id as string, { parent: cats[0].id });
        await store.update(NW, 'categories', cats[2].id as string, { parent: cats[1].id });
        const categoryOf = new Map([...(await allItems(store, 'articles'))].map(([id, a]) => [id, a.category]));
        const next = magazineWith((s) => renameCollection(s, 'categories', 'sections'));
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        const s2 = await Store.open(driver, next);
        const leaf = await s2.get(NW, 'sections', cats[2].id as string, { expand: 'parent.parent' });
        assert.equal((leaf.parent as Json).id, cats[1].id);
        assert.equal((leaf.parent as Json).parent.id, cats[0].id);
        assert.equal((leaf.parent as Json).parent.name, cats[0].name);
        assert.deepEqual(new Map([...(await allItems(s2, 'articles'))].map(([id, a]) => [id, a.category])), categoryOf);
        // The self-relation is still enforced: a section may not point at a missing one.
        const fake = (cats[0].id as string).slice(0, -4) + ((cats[0].id as string).endsWith('ffff') ? 'eeee' : 'ffff');
        await expectRejectedWrite(s2.update(NW, 'sections', cats[0].id as string, { parent: fake }), 'invalid_body', 'parent');
      }));

    it('(h) rebuilt and renamed tables keep their foreign keys: links across tenants or to missing items are refused', () =>
      withDb(d, async ({ driver, store }) => {
        const harborAuthor = (await store.list(scope('harbor'), 'authors', { limit: '1' })).data[0].id as string;
        const harborTag = (await store.list(scope('harbor'), 'tags', { limit: '1' })).data[0].id as string;
        const next = magazineWith((s) => {
          s.collections.authors.fields.twitter = { type: 'string' }; // rebuilds a to-one target
          renameCollection(s, 'tags', 'labels'); // renames a many target
          s.collections.articles.fields.subtitle = { type: 'string' }; // rebuilds the source
        });
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        await Store.open(driver, next);
        const a = (await driver.db.selectFrom('articles').select(['id', '_tenant', 'author']).where('_tenant', '=', (await driver.db.selectFrom('kiln_tenants').select('id').where('slug', '=', 'northwind').executeTakeFirstOrThrow()).id).limit(1).executeTakeFirstOrThrow()) as Json;
        const missing = (a.id as string).slice(0, -4) + ((a.id as string).endsWith('ffff') ? 'eeee' : 'ffff');
        const attempts: [string, () => Promise<unknown>][] = [
          ['articles.author → a harbor author', () => driver.db.updateTable('articles').set({ author: harborAuthor }).where('id', '=', a.id).execute()],
          ['articles.author → a missing author', () => driver.db.updateTable('articles').set({ author: missing }).where('id', '=', a.id).execute()],
          ['articles__tags → a harbor label', () => driver.db.insertInto('articles__tags').values({ _tenant: a._tenant, source: a.id, target: harborTag, position: 99 }).execute()],
          ['articles__tags → a missing label', () => driver.db.insertInto('articles__tags').values({ _tenant: a._tenant, source: a.id, target: missing, position: 99 }).execute()],
          ['articles__tags from a missing article', () => driver.db.insertInto('articles__tags').values({ _tenant: a._tenant, source: missing, target: harborTag, position: 99 }).execute()],
        ];
        for (const [what, attempt] of attempts) {
          await assert.rejects(attempt(), (e: unknown) => {
            assert.equal(driver.violation(e)?.kind, 'foreign_key', `${what}: ${(e as Error).message}`);
            return true;
          }, `${what} was accepted`);
        }
        // Deleting a label still removes its links.
        const s2 = await Store.open(driver, next);
        const art = await s2.get(NW, 'articles', a.id as string);
        const label = (art.tags as string[])[0];
        await s2.remove(NW, 'labels', label);
        assert.ok(!((await s2.get(NW, 'articles', a.id as string)).tags as string[]).includes(label));
        assert.equal((await driver.db.selectFrom('articles__tags').select('source').where('target', '=', label).execute()).length, 0);
      }));

    it('(a) a new collection may point at existing ones and be pointed at, in the same migration', () =>
      withDb(d, async ({ driver }) => {
        const next = magazineWith((s) => {
          s.collections.comments = { fields: { body: { type: 'text', required: true }, article: { type: 'relation', to: 'articles', required: true }, tags: { type: 'relation', to: 'tags', many: true } } };
          s.collections.articles.fields.pinned = { type: 'relation', to: 'comments' };
          s.collections.articles.fields.highlights = { type: 'relation', to: 'comments', many: true };
        });
        const r = await migrate(driver, next);
        assert.equal(r.verdict, 'safe');
        assert.equal(r.applied, true, summary(r));
        const s2 = await Store.open(driver, next);
        const a = (await s2.list(NW, 'articles', { limit: '1' })).data[0];
        const c = await s2.create(NW, 'comments', { body: 'First!', article: a.id, tags: a.tags });
        assert.deepEqual(c.tags, a.tags);
        const u = await s2.update(NW, 'articles', a.id as string, { pinned: c.id, highlights: [c.id] });
        assert.equal(u.pinned, c.id);
        assert.deepEqual(u.highlights, [c.id]);
        const e = await s2.get(NW, 'articles', a.id as string, { expand: 'pinned.article' });
        assert.equal((e.pinned as Json).article.id, a.id);
        // A harbor comment may not be pinned on a northwind article.
        const harborArticle = (await s2.list(scope('harbor'), 'articles', { limit: '1' })).data[0];
        const hc = await s2.create(scope('harbor'), 'comments', { body: 'Elsewhere', article: harborArticle.id });
        await expectRejectedWrite(s2.update(NW, 'articles', a.id as string, { pinned: hc.id }), 'invalid_body', 'pinned');
      }));

    it('(c) removing a collection drops its table and links; rolling back brings it back empty', () =>
      withDb(d, async ({ driver }) => {
        const next = magazineWith((s) => {
          delete s.collections.tags;
          delete s.collections.articles.fields.tags;
          for (const role of Object.values(s.roles) as Json[]) delete role.can.tags;
        });
        const refused = await migrate(driver, next);
        assert.ok(refused.refused.some((x) => /collection tags/.test(x)), refused.refused.join('\n'));
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        const tables = (await driver.db.introspection.getTables()).map((t) => t.name);
        assert.ok(!tables.includes('tags') && !tables.includes('articles__tags'), tables.join(', '));
        const s2 = await Store.open(driver, next);
        assert.equal((await allItems(s2, 'articles')).size, 24);
        await assert.rejects(s2.list(NW, 'tags'), (e: unknown) => e instanceof DataError && e.kind === 'not_found');

        const back = await migrate(driver, rollbackTarget(await listVersions(driver), 1), { allowBreaking: true });
        assert.equal(back.applied, true, summary(back));
        const s3 = await Store.open(driver, plainMagazine());
        assert.equal((await allItems(s3, 'tags')).size, 0);
        for (const a of (await allItems(s3, 'articles')).values()) assert.deepEqual(a.tags, []);
      }));

    describe('(f) type and relation conversions', () => {
      it('integer → number is safe and keeps values; number → integer with fractional values fails naming the rows', () =>
        withDb(d, async ({ driver, store }) => {
          const minutes = new Map([...(await allItems(store, 'articles'))].map(([id, a]) => [id, a.readingMinutes]));
          const asNumber = magazineWith((s) => (s.collections.articles.fields.readingMinutes = { type: 'number', min: 0, max: 600 }));
          const r = await migrate(driver, asNumber);
          assert.equal(r.verdict, 'safe');
          assert.equal(r.applied, true, summary(r));
          const s2 = await Store.open(driver, asNumber);
          assert.deepEqual(new Map([...(await allItems(s2, 'articles'))].map(([id, a]) => [id, a.readingMinutes])), minutes);

          const some = (await s2.list(NW, 'articles', { limit: '3' })).data;
          await s2.update(NW, 'articles', some[0].id as string, { readingMinutes: 3.5 });
          await s2.update(NW, 'articles', some[1].id as string, { readingMinutes: 0.25 });
          await s2.update(NW, 'articles', some[2].id as string, { readingMinutes: 7 });
          assert.equal((await s2.get(NW, 'articles', some[0].id as string)).readingMinutes, 3.5);

          const before = await dumpDatabase(driver);
          const back = magazineWith(() => {});
          const refused = await migrate(driver, back);
          assert.ok(refused.refused.length > 0, 'number → integer is breaking');
          const failed = await migrate(driver, back, { allowBreaking: true });
          assert.equal(failed.applied, false);
          assert.deepEqual(failedIds(failed, 'readingMinutes'), [some[0].id as string, some[1].id as string].sort(), JSON.stringify(failed.failures));
          assert.deepEqual(await dumpDatabase(driver), before);
          assert.equal((await s2.get(NW, 'articles', some[0].id as string)).readingMinutes, 3.5);

          // Once the fractional values are whole, it converts.
          await s2.update(NW, 'articles', some[0].id as string, { readingMinutes: 4 });
          await s2.update(NW, 'articles', some[1].id as string, { readingMinutes: null });
          const ok = await migrate(driver, back, { allowBreaking: true });
          assert.equal(ok.applied, true, summary(ok));
          const s3 = await Store.open(driver, back);
          assert.equal((await s3.get(NW, 'articles', some[0].id as string)).readingMinutes, 4);
          assert.equal((await s3.get(NW, 'articles', some[2].id as string)).readingMinutes, 7);
          await expectRejectedWrite(s3.update(NW, 'articles', some[0].id as string, { readingMinutes: 1.5 }), 'invalid_body', 'readingMinutes');
        }));

      it('narrowing a length or a list limit fails naming exactly the items that no longer fit', () =>
        withDb(d, async ({ driver, store }) => {
          const all = await allItems(store, 'articles');
          const long = [...all.values()].filter((a) => (a.title as string).length > 30).map((a) => a.id as string).sort();
          assert.ok(long.length > 0 && long.length < all.size);
          const before = await dumpDatabase(driver);
          const titles = await migrate(driver, magazineWith((s) => (s.collections.articles.fields.title.max = 30)), { allowBreaking: true });
          assert.equal(titles.applied, false);
          assert.deepEqual(failedIds(titles, 'title'), long);
          const tags = await migrate(driver, magazineWith((s) => (s.collections.articles.fields.tags.max = 1)), { allowBreaking: true });
          assert.equal(tags.applied, false);
          assert.deepEqual(failedIds(tags, 'tags'), [...all.keys()].sort());
          assert.deepEqual(await dumpDatabase(driver), before);
        }));

      it('string → integer converts numeric text and names the rest', () =>
        withDb(d, async ({ driver }) => {
          const withCode = magazineWith((s) => (s.collections.articles.fields.code = { type: 'string' }));
          assert.equal((await migrate(driver, withCode)).applied, true);
          const s1 = await Store.open(driver, withCode);
          const arts = (await s1.list(NW, 'articles', { limit: '2' })).data;
          await s1.update(NW, 'articles', arts[0].id as string, { code: '42' });
          await s1.update(NW, 'articles', arts[1].id as string, { code: 'forty-two' });
          const asInt = magazineWith((s) => (s.collections.articles.fields.code = { type: 'integer' }));
          const failed = await migrate(driver, asInt, { allowBreaking: true });
          assert.equal(failed.applied, false);
          assert.deepEqual(failedIds(failed, 'code'), [arts[1].id as string]);
          await s1.update(NW, 'articles', arts[1].id as string, { code: '7' });
          const ok = await migrate(driver, asInt, { allowBreaking: true });
          assert.equal(ok.applied, true, summary(ok));
          const s2 = await Store.open(driver, asInt);
          assert.equal((await s2.get(NW, 'articles', arts[0].id as string)).code, 42);
          assert.equal((await s2.get(NW, 'articles', arts[1].id as string)).code, 7);
          const filtered = await s2.list(NW, 'articles', { filter: { code: { _gt: '10' } } });
          assert.deepEqual(filtered.data.map((x) => x.id), [arts[0].id]);
        }));

      it('text → richtext keeps plain text as written and drops markup a richtext write would refuse', () =>
        withDb(d, async ({ driver, store }) => {
          const arts = (await store.list(NW, 'articles', { limit: '2' })).data;
          await store.update(NW, 'articles', arts[0].id as string, { summary: '<p onclick="x()">Hi <b>there</b></p><script>steal()</script>' });
          await store.update(NW, 'articles', arts[1].id as string, { summary: 'Fish & chips > salad' });
          const rich = magazineWith((s) => (s.collections.articles.fields.summary = { type: 'richtext', max: 1000 }));
          const r = await migrate(driver, rich, { allowBreaking: true });
          assert.equal(r.applied, true, summary(r));
          const s2 = await Store.open(driver, rich);
          assert.equal((await s2.get(NW, 'articles', arts[0].id as string)).summary, '<p>Hi <b>there</b></p>');
          assert.equal((await s2.get(NW, 'articles', arts[1].id as string)).summary, 'Fish & chips > salad');
        }));

      it('a to-one relation becoming many keeps each link as a one-item list', () =>
        withDb(d, async ({ driver, store }) => {
          const first = (await store.list(NW, 'articles', { limit: '1' })).data[0];
          await store.update(NW, 'articles', first.id as string, { category: null });
          const before = new Map([...(await allItems(store, 'articles'))].map(([id, a]) => [id, a.category]));
          assert.ok([...before.values()].filter((c) => c !== null).length >= 20);
          const next = magazineWith((s) => (s.collections.articles.fields.category = { type: 'relation', to: 'categories', many: true }));
          const r = await migrate(driver, next, { allowBreaking: true });
          assert.equal(r.applied, true, summary(r));
          const s2 = await Store.open(driver, next);
          const after = await allItems(s2, 'articles');
          for (const [id, cat] of before) assert.deepEqual(after.get(id)!.category, cat === null ? [] : [cat], `article ${id}`);
          const cats = await allItems(s2, 'categories');
          const second = (await s2.list(NW, 'articles', { limit: '2' })).data[1];
          const expanded = await s2.get(NW, 'articles', second.id as string, { expand: 'category' });
          assert.deepEqual(
            (expanded.category as { name: string }[]).map((c) => c.name),
            [cats.get(before.get(second.id as string) as string)!.name],
          );
        }));

      it('a many relation becoming to-one fails naming the items with several links', () =>
        withDb(d, async ({ driver, store }) => {
          const ids = [...(await allItems(store, 'articles')).keys()].sort();
          const before = await dumpDatabase(driver);
          const next = magazineWith((s) => (s.collections.articles.fields.tags = { type: 'relation', to: 'tags' }));
          const r = await migrate(driver, next, { allowBreaking: true });
          assert.equal(r.applied, false);
          assert.deepEqual(failedIds(r, 'tags'), ids);
          assert.deepEqual(await dumpDatabase(driver), before);
        }));

      it('removing an enum value that items hold fails naming them; one that no item holds applies', () =>
        withDb(d, async ({ driver, store }) => {
          const all = await allItems(store, 'articles');
          const inReview = [...all.values()].filter((a) => a.status === 'in_review').map((a) => a.id as string).sort();
          assert.ok(inReview.length >= 2);
          const before = await dumpDatabase(driver);
          const next = magazineWith((s) => (s.collections.articles.fields.status.values = ['draft', 'published', 'archived']));
          const r = await migrate(driver, next, { allowBreaking: true });
          assert.equal(r.applied, false);
          assert.deepEqual(failedIds(r, 'status'), inReview);
          assert.deepEqual(await dumpDatabase(driver), before);

          const unused = magazineWith((s) => (s.collections.articles.fields.status.values = ['draft', 'in_review', 'published']));
          assert.ok(![...all.values()].some((a) => a.status === 'archived'));
          const ok = await migrate(driver, unused, { allowBreaking: true });
          assert.equal(ok.applied, true, summary(ok));
          const s2 = await Store.open(driver, unused);
          assert.deepEqual(new Map([...(await allItems(s2, 'articles'))].map(([id, a]) => [id, a.status])), new Map([...all].map(([id, a]) => [id, a.status])));
          await expectRejectedWrite(s2.update(NW, 'articles', inReview[0], { status: 'archived' }), 'invalid_body', 'status');
        }));
    });

    it('(g) rollback to version 1 after two migrations restores its shape, with renamed data back under the old names', () =>
      withDb(d, async ({ driver, store }) => {
        const v1 = plainMagazine();
        const articles = await allItems(store, 'articles');
        const tags = await allItems(store, 'tags');

        const v2 = magazineWith((s) => {
          renameCollection(s, 'tags', 'labels');
          renameField(s, 'articles', 'tags', 'labels');
          s.collections.articles.fields.subtitle = { type: 'string' };
        });
        const r2 = await migrate(driver, v2, { allowBreaking: true });
        assert.equal(r2.applied, true, summary(r2));
        const s2 = await Store.open(driver, v2);
        const first = (await s2.list(NW, 'articles', { limit: '1' })).data[0];
        await s2.update(NW, 'articles', first.id as string, { subtitle: 'only in v2' });

        const v3 = magazineWith((s) => {
          renameCollection(s, 'tags', 'labels');
          renameField(s, 'articles', 'tags', 'labels');
          s.collections.articles.fields.subtitle = { type: 'string' };
          renameField(s, 'articles', 'summary', 'abstract');
          delete s.collections.authors.fields.website;
          // renamedFrom from the previous step no longer applies
          delete s.collections.labels.renamedFrom;
          delete s.collections.articles.fields.labels.renamedFrom;
        });
        const r3 = await migrate(driver, v3, { allowBreaking: true });
        assert.equal(r3.applied, true, summary(r3));
        assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1, 2, 3]);

        const target = rollbackTarget(await listVersions(driver), 1);
        assert.deepEqual(withoutRenames(target), withoutRenames(v1));
        assert.equal(target.collections.tags.renamedFrom, 'labels');
        assert.equal(target.collections.articles.fields.tags.renamedFrom, 'labels');
        assert.equal(target.collections.articles.fields.summary.renamedFrom, 'abstract');
        const plan = diffSpecs(v3, target);
        assert.ok(!plan.some((c) => c.kind === 'collection.removed' || (c.kind === 'field.removed' && c.field !== 'subtitle')), JSON.stringify(plan.map((c) => c.kind)));

        const refused = await migrate(driver, target);
        assert.ok(refused.refused.length > 0);
        const rb = await migrate(driver, target, { allowBreaking: true, author: 'rollback test' });
        assert.equal(rb.applied, true, summary(rb));
        assert.equal(rb.toVersion, 4);
        const versions = await listVersions(driver);
        assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4]);
        assert.equal(versions[3].author, 'rollback test');

        // The version-1 spec, as written, opens on the database again: the tables have its shape.
        const back = await Store.open(driver, v1);
        assert.deepEqual([...back.model.collections.keys()].sort(), Object.keys(v1.collections).sort());
        const after = await allItems(back, 'articles');
        assert.equal(after.size, articles.size);
        for (const [id, a] of articles) {
          const b = after.get(id)!;
          assert.ok(b, `article ${id} is gone`);
          assert.equal(b.summary, a.summary, `summary of ${id} came back`);
          assert.deepEqual(b.tags, a.tags, `tags of ${id} came back`);
          assert.ok(!('subtitle' in b) && !('abstract' in b) && !('labels' in b));
        }
        const tagsAfter = await allItems(back, 'tags');
        assert.deepEqual(new Map([...tagsAfter].map(([id, t]) => [id, t.name])), new Map([...tags].map(([id, t]) => [id, t.name])));
        // The removed field comes back empty: its values were dropped by version 3.
        for (const a of (await allItems(back, 'authors')).values()) assert.equal(a.website, null);
        // It is usable: writes with the version-1 spec work.
        const updated = await back.update(NW, 'articles', first.id as string, { summary: 'Back in v1', tags: [] });
        assert.equal(updated.summary, 'Back in v1');
      }));
    it('(g) rollback across chained renames (tags → labels → topics, articles → stories, summary → abstract → lede)', () =>
      withDb(d, async ({ driver, store }) => {
        const articles = await allItems(store, 'articles');
        const tags = await allItems(store, 'tags');
        const v2 = magazineWith((s) => {
          renameCollection(s, 'tags', 'labels');
          renameField(s, 'articles', 'summary', 'abstract');
        });
        assert.equal((await migrate(driver, v2, { allowBreaking: true })).applied, true);
        const v3 = magazineWith((s) => {
          renameCollection(s, 'tags', 'labels');
          renameField(s, 'articles', 'summary', 'abstract');
          // The file keeps its old renamedFrom marks: they no longer name anything and must be ignored.
          renameCollection(s, 'labels', 'topics');
          renameCollection(s, 'articles', 'stories');
          renameField(s, 'stories', 'abstract', 'lede');
        });
        const r3 = await migrate(driver, v3, { allowBreaking: true });
        assert.equal(r3.applied, true, summary(r3));
        assert.ok(!r3.changes.some((c) => c.kind.endsWith('.removed') || c.kind === 'field.added' || c.kind === 'collection.added'), JSON.stringify(r3.changes.map((c) => c.kind)));
        const s3 = await Store.open(driver, v3);
        const stories = await allItems(s3, 'stories');
        for (const [id, a] of articles) {
          assert.equal(stories.get(id)!.lede, a.summary);
          assert.deepEqual(stories.get(id)!.tags, a.tags);
        }

        const target = rollbackTarget(await listVersions(driver), 1);
        assert.equal(target.collections.tags.renamedFrom, 'topics');
        assert.equal(target.collections.articles.renamedFrom, 'stories');
        assert.equal(target.collections.articles.fields.summary.renamedFrom, 'lede');
        const rb = await migrate(driver, target, { allowBreaking: true });
        assert.equal(rb.applied, true, summary(rb));
        const back = await Store.open(driver, plainMagazine());
        const after = await allItems(back, 'articles');
        for (const [id, a] of articles) {
          assert.equal(after.get(id)!.summary, a.summary);
          assert.deepEqual(after.get(id)!.tags, a.tags);
        }
        assert.deepEqual(new Map([...(await allItems(back, 'tags'))].map(([id, t]) => [id, t.name])), new Map([...tags].map(([id, t]) => [id, t.name])));
        assert.deepEqual((await listVersions(driver)).map((v) => v.version), [1, 2, 3, 4]);
      }));
    it('(i) a write another connection commits while the migration copies rows is not lost', () =>
      withDb(d, async ({ driver, store, env }) => {
        const target = (await store.list(NW, 'articles', { limit: '1' })).data[0];
        const next = magazineWith((s) => (s.collections.articles.fields.subtitle = { type: 'string' }));
        let writer: { status: number | null; out: string } | undefined;
        const r = await migrate(driver, next, {
          onProgress: (p) => {
            if (p.table !== 'articles' || writer) return;
            // Another server writes now, after this row was copied and before the old table is dropped.
            // The child runs synchronously so the write happens exactly here; it gives up on a lock after 5 s.
            const c = spawnSync(process.execPath, [WRITER, env.KILN_DATABASE_URL ?? '', env.KILN_DATA_DIR, target.id as string, 'Written during the migration'], { encoding: 'utf8', timeout: 30_000 });
            writer = { status: c.status, out: `${c.stdout}${c.stderr}` };
          },
        });
        assert.ok(writer, 'onProgress was never called for articles');
        assert.equal(writer.status, 0, writer.out);
        assert.equal(r.applied, true, summary(r));
        const after = await (await Store.open(driver, next)).get(NW, 'articles', target.id as string);
        if (writer.out.trim() === 'committed') assert.equal(after.title, 'Written during the migration', 'a committed write was lost by the migration');
        else assert.equal(after.title, target.title, `the write was refused (${writer.out.trim()}), so the title must be unchanged`);
      }));
    it('(j) full-text search follows the migration: renamed fields, renamed collections, newly searchable fields', () =>
      withDb(d, async ({ driver, store }) => {
        const a = (await store.list(NW, 'articles', { limit: '1' })).data[0];
        await store.update(NW, 'articles', a.id as string, { summary: 'An ocelot in Zanzibar' });
        assert.deepEqual((await store.list(NW, 'articles', { search: 'ocelot' })).data.map((x) => x.id), [a.id]);
        const next = magazineWith((s) => {
          renameCollection(s, 'articles', 'stories');
          renameField(s, 'stories', 'summary', 'abstract');
          s.collections.tags.fields.name.searchable = true;
        });
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        const s2 = await Store.open(driver, next);
        assert.deepEqual((await s2.list(NW, 'stories', { search: 'ocelot' })).data.map((x) => x.id), [a.id]);
        const hits = await s2.search(NW, 'ocelot');
        assert.deepEqual(hits.map((h) => [h.collection, h.id]), [['stories', a.id]]);
        assert.equal((await s2.list(NW, 'tags', { search: 'interview' })).data.length, 1);
        await s2.update(NW, 'stories', a.id as string, { abstract: 'A platypus instead' });
        assert.deepEqual((await s2.list(NW, 'stories', { search: 'platypus' })).data.map((x) => x.id), [a.id]);
        assert.equal((await s2.list(NW, 'stories', { search: 'ocelot' })).data.length, 0);
      }));

    it('(j) removing a searchable collection also removes its items from the search index', () =>
      withDb(d, async ({ driver, store }) => {
        assert.deepEqual((await store.search(NW, 'Lovelace')).map((h) => h.collection), ['authors']);
        const next = magazineWith((s) => {
          delete s.collections.authors;
          delete s.collections.articles.fields.author;
          for (const role of Object.values(s.roles) as Json[]) delete role.can.authors;
        });
        const r = await migrate(driver, next, { allowBreaking: true });
        assert.equal(r.applied, true, summary(r));
        const s2 = await Store.open(driver, next);
        assert.deepEqual(await s2.search(NW, 'Lovelace'), []);
        // The deleted items' text is gone from every search table, not only unreachable.
        const dump = await dumpDatabase(driver);
        const searchTables = Object.keys(dump).filter((t) => t.startsWith('kiln_search'));
        assert.ok(searchTables.length > 0, Object.keys(dump).join(', '));
        for (const t of searchTables) {
          const left = dump[t].rows.filter((row) => row.includes('Lovelace') || row.includes('"authors"'));
          assert.deepEqual(left, [], `${t} still holds search documents of the removed collection authors`);
        }
      }));
  });
}
