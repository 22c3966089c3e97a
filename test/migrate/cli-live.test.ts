// The migration commands as an operator runs them, against a `kiln start` server that keeps running:
// `kiln diff`, `kiln migrate` (dry run, consent, the breaking gate, --yes), `kiln spec history`, and
// the running server following the applied migration without a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, runKiln, startKiln, type KilnServer } from '../cli/kiln-process.ts';
import { ROOT_TOKEN, drivers, exampleSpec, freshDatabase } from '../harness.ts';
import { SPEC_FILE, renameField, type Json } from './helpers.ts';

/** How long a running server may take to follow an applied migration (it polls every 2 s). */
const FOLLOW_BOUND_MS = 10_000;

// Child processes are run and tracked by the CLI suites' helpers; a server runs with the test's root token.
const kiln = runKiln;
const startServer = (args: string[], env: Record<string, string | undefined>) => startKiln(args, { KILN_ADMIN_TOKEN: ROOT_TOKEN, ...env });
type Server = KilnServer;

after(killAll);

async function api(server: Server, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(server.url + path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${ROOT_TOKEN}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Polls until `check` holds, at most `bound` ms; returns whether it did. */
async function eventually(check: () => Promise<boolean>, bound: number): Promise<boolean> {
  const end = Date.now() + bound;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const d of await drivers()) {
  describe(`kiln migrate against a running server on ${d}`, () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let env: Record<string, string | undefined>;
    let server: Server;
    let dir: string;
    const file = (name: string) => join(dir, name);

    before(async () => {
      db = await freshDatabase(d);
      env = { KILN_DATA_DIR: db.env.KILN_DATA_DIR, KILN_DATABASE_URL: db.env.KILN_DATABASE_URL };
      dir = mkdtempSync(join(tmpdir(), 'kiln-migrate-cli-'));
      const write = (name: string, edit: (s: Json) => void) => {
        const s = structuredClone(exampleSpec('magazine')) as Json;
        delete s.$schema;
        edit(s);
        writeFileSync(file(name), JSON.stringify(s, null, 2));
      };
      write('same.json', () => {});
      write('safe.json', (s) => (s.collections.articles.fields.subtitle = { type: 'string', max: 200 }));
      // The AI actions that read or write the summary go with it.
      const dropSummary = (s: Json) => {
        delete s.collections.articles.fields.summary;
        delete s.collections.articles.ai.actions.summarize;
        s.collections.articles.ai.actions.translate.fields = ['title', 'body'];
      };
      write('breaking.json', (s) => {
        s.collections.articles.fields.subtitle = { type: 'string', max: 200 };
        dropSummary(s);
      });
      write('rating.json', (s) => {
        s.collections.articles.fields.subtitle = { type: 'string', max: 200 };
        s.collections.articles.fields.rating = { type: 'integer', required: true, min: 1, max: 5 };
      });
      write('renamed.json', (s) => {
        s.collections.articles.fields.subtitle = { type: 'string', max: 200 };
        dropSummary(s);
        renameField(s, 'articles', 'readingMinutes', 'minutes');
      });
      server = await startServer([SPEC_FILE, '--seed'], env);
      assert.equal(server.driver, d);
    });

    after(async () => {
      if (server) await server.stop();
      rmSync(dir, { recursive: true, force: true });
      await db?.drop();
    });

    const firstArticle = async () => {
      const r = await api(server, '/api/t/northwind/articles?limit=1&sort=id');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data[0] as Json;
    };

    it('serves the seeded app before any migration', async () => {
      const a = await firstArticle();
      assert.ok(a && typeof a.id === 'string');
      assert.ok('summary' in a && !('subtitle' in a), JSON.stringify(a));
    });

    it('kiln diff exits 0 for a safe change, 2 for a breaking one, and names the changes', async () => {
      const safe = await kiln(['diff', SPEC_FILE, file('safe.json')], env);
      assert.equal(safe.code, 0, safe.stdout + safe.stderr);
      assert.match(safe.stdout, /articles\.subtitle/);
      assert.match(safe.stdout, /overall: safe/);
      const breaking = await kiln(['diff', SPEC_FILE, file('breaking.json')], env);
      assert.equal(breaking.code, 2, breaking.stdout + breaking.stderr);
      assert.match(breaking.stdout, /breaking/);
      assert.match(breaking.stdout, /articles\.summary/);
      const none = await kiln(['diff', SPEC_FILE, file('same.json')], env);
      assert.equal(none.code, 0);
      assert.match(none.stdout, /No changes/);
      const json = await kiln(['diff', SPEC_FILE, file('breaking.json'), '--json'], env);
      assert.equal(json.code, 2);
      const parsed = JSON.parse(json.stdout) as { verdict: string; changes: { kind: string; class: string }[] };
      assert.equal(parsed.verdict, 'breaking');
      assert.deepEqual(parsed.changes.map((c) => `${c.kind} ${c.class}`).sort(), ['collection.changed safe', 'field.added safe', 'field.removed breaking']);
    });

    it('--dry-run shows the plan and changes nothing', async () => {
      const r = await kiln(['migrate', file('safe.json'), '--dry-run'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Dry run/);
      assert.match(r.stdout, /added field articles\.subtitle/);
      assert.match(r.stdout, /articles: 24 rows copied and checked/);
      const h = await kiln(['spec', 'history', file('safe.json'), '--json'], env);
      assert.equal(h.code, 0, h.stderr);
      assert.deepEqual((JSON.parse(h.stdout) as { version: number }[]).map((v) => v.version), [1]);
      assert.ok(!('subtitle' in (await firstArticle())));
    });

    it('without --yes from a non-TTY it does not apply, and says to pass --yes', async () => {
      const r = await kiln(['migrate', file('safe.json')], env);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /--yes/);
      const h = await kiln(['spec', 'history', file('safe.json'), '--json'], env);
      assert.deepEqual((JSON.parse(h.stdout) as { version: number }[]).map((v) => v.version), [1]);
    });

    it('a breaking change without --allow-breaking is refused, even with --yes', async () => {
      const r = await kiln(['migrate', file('breaking.json'), '--yes'], env);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /Refused/);
      assert.match(r.stdout, /articles\.summary/);
      const h = await kiln(['spec', 'history', file('safe.json'), '--json'], env);
      assert.deepEqual((JSON.parse(h.stdout) as { version: number }[]).map((v) => v.version), [1]);
    });

    it('--yes applies, and the running server follows without a restart', async () => {
      const r = await kiln(['migrate', file('safe.json'), '--yes'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Applied: spec version 2/);
      const followed = await eventually(async () => 'subtitle' in (await firstArticle()), FOLLOW_BOUND_MS);
      assert.ok(followed, `the running server did not serve the new field within ${FOLLOW_BOUND_MS} ms\n${server.stderr()}`);
      assert.equal(server.child.exitCode, null, 'the server restarted or exited');
      const a = await firstArticle();
      const patched = await api(server, `/api/t/northwind/articles/${a.id as string}`, { method: 'PATCH', body: { subtitle: 'Written after the migration' } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.data.subtitle, 'Written after the migration');
      assert.equal(patched.body.data.summary, a.summary);
      assert.match(server.stderr(), /now serving spec version 2/);
      // Running the same migration again finds nothing to do.
      const again = await kiln(['migrate', file('safe.json'), '--yes'], env);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /No changes/);
    });

    it('a required field without a value fails naming the rows; with --backfill it applies and the server follows', async () => {
      const failed = await kiln(['migrate', file('rating.json'), '--yes'], env);
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      assert.match(failed.stdout, /Rows that would fail \(24\)/);
      assert.match(failed.stdout, /--backfill articles\.rating=/);
      const a = await firstArticle();
      assert.match(failed.stdout, new RegExp(`articles ${a.id as string} rating`));
      const bad = await kiln(['migrate', file('rating.json'), '--backfill', 'articles.rating=9', '--yes'], env);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, /backfill value/);
      const ok = await kiln(['migrate', file('rating.json'), '--backfill', 'articles.rating=4', '--yes'], env);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /Applied: spec version 3/);
      const followed = await eventually(async () => (await firstArticle()).rating === 4, FOLLOW_BOUND_MS);
      assert.ok(followed, `the running server did not follow version 3 within ${FOLLOW_BOUND_MS} ms\n${server.stderr()}`);
      const all = await api(server, '/api/t/harbor/articles?limit=100');
      assert.equal(all.body.data.length, 12);
      assert.ok((all.body.data as Json[]).every((x) => x.rating === 4));
      const missing = await api(server, '/api/t/northwind/articles', { method: 'POST', body: { title: 'Unrated', author: a.author } });
      assert.equal(missing.status, 422, JSON.stringify(missing.body));
      assert.ok((missing.body.errors as Json[]).some((e) => e.field === 'rating'), JSON.stringify(missing.body));
    });

    it('a breaking change with --allow-breaking --yes applies and the server follows it too', async () => {
      const before = await firstArticle();
      const r = await kiln(['migrate', file('renamed.json'), '--allow-breaking', '--yes'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Applied: spec version 4/);
      const followed = await eventually(async () => 'minutes' in (await firstArticle()), FOLLOW_BOUND_MS);
      assert.ok(followed, `the running server did not follow version 4 within ${FOLLOW_BOUND_MS} ms\n${server.stderr()}`);
      const a = await firstArticle();
      assert.equal(a.id, before.id);
      assert.equal(a.minutes, before.readingMinutes);
      assert.equal(a.subtitle, 'Written after the migration');
      assert.ok(!('summary' in a) && !('readingMinutes' in a) && !('rating' in a), JSON.stringify(a));
    });

    it('kiln spec history lists every applied version', async () => {
      const h = await kiln(['spec', 'history', file('renamed.json')], env);
      assert.equal(h.code, 0, h.stdout + h.stderr);
      const lines = h.stdout.trim().split('\n');
      assert.equal(lines.length, 4, h.stdout);
      assert.match(lines[0], /^\s*1\s.*created/);
      assert.match(lines[1], /^\s*2\s.*1 change \(safe\)/);
      assert.match(lines[2], /^\s*3\s.*1 change \(backfill\)/);
      assert.match(lines[3], /^\s*4\s.*\(breaking\)/);
      const json = await kiln(['spec', 'history', file('renamed.json'), '--json'], env);
      const versions = JSON.parse(json.stdout) as { version: number; hash: string; author: string; plan: { kind: string }[] }[];
      assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4]);
      assert.equal(new Set(versions.map((v) => v.hash)).size, 4);
      assert.deepEqual(versions[1].plan.map((p) => p.kind), ['field.added']);
      assert.match(versions[3].author, /kiln migrate/);
    });

    it('kiln spec rollback 1 goes through the same gate, renames back, and the server follows', async () => {
      const before = await firstArticle();
      const dry = await kiln(['spec', 'rollback', '1', file('renamed.json'), '--dry-run', '--allow-breaking'], env);
      assert.equal(dry.code, 0, dry.stdout + dry.stderr);
      assert.match(dry.stdout, /Dry run/);
      assert.match(dry.stdout, /renamed field articles\.minutes → readingMinutes/);
      const refused = await kiln(['spec', 'rollback', '1', file('renamed.json'), '--yes'], env);
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stdout, /Refused/);
      const r = await kiln(['spec', 'rollback', '1', file('renamed.json'), '--allow-breaking', '--yes'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Applied: spec version 5/);
      const followed = await eventually(async () => 'readingMinutes' in (await firstArticle()), FOLLOW_BOUND_MS);
      assert.ok(followed, `the running server did not follow the rollback within ${FOLLOW_BOUND_MS} ms\n${server.stderr()}`);
      const a = await firstArticle();
      assert.equal(a.id, before.id);
      assert.equal(a.readingMinutes, before.minutes, 'the renamed value came back under its old name');
      assert.equal(a.summary, null, 'summary was dropped by version 4; it comes back empty');
      assert.ok(!('minutes' in a) && !('subtitle' in a) && !('rating' in a), JSON.stringify(a));
      const h = await kiln(['spec', 'history', SPEC_FILE, '--json'], env);
      const versions = JSON.parse(h.stdout) as { version: number; author: string }[];
      assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4, 5]);
      assert.match(versions[4].author, /rollback to 1/);
      // The original spec file describes the tables again.
      const same = await kiln(['migrate', SPEC_FILE, '--dry-run'], env);
      assert.equal(same.code, 0, same.stdout + same.stderr);
    });
  });
}
