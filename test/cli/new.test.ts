// `kiln new` as an operator runs it: the binary writes a spec and seed, refuses to overwrite, and the
// generated app starts and serves its seed data on every driver. Also the development set's score.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, killAll, request, runKiln, startKiln } from './kiln-process.ts';
import { drivers, freshDatabase } from '../harness.ts';
import { checkSpec } from '../../src/spec/check.ts';

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kiln-new-'));
  temps.push(d);
  return d;
}
/** `kiln new` logs its model-gateway call in the app's database: a private one, never the repo's .kiln. */
const privateData = () => ({ KILN_DATA_DIR: join(tempDir(), 'data') });
after(async () => {
  await killAll();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const MAGAZINE = 'A multi-tenant online magazine. Each publisher has its own articles, authors and tags. An article has a title, a body, a cover image, a publish date and a featured flag; it is written by an author and tagged with many tags. Authors have a name, an email and a short bio. Editors review articles before they are published. People sign in with email and password or with GitHub.';
const CATALOG = 'A product catalog. Products have a name, a description, a price, a stock quantity and a photo, and belong to a category. Categories have a name and can have a parent category. Sign in with Google.';

describe('kiln new', () => {
  test('writes a valid spec and seed, and prints what it understood, the assumptions and next steps', async () => {
    const dir = join(tempDir(), 'mag');
    const r = await runKiln(['new', dir, '--describe', MAGAZINE], privateData());
    assert.equal(r.code, 0, r.stderr);
    const spec = JSON.parse(readFileSync(join(dir, 'kiln.json'), 'utf8'));
    const checked = checkSpec(spec);
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.errors));
    assert.equal(spec.name, 'mag', 'the folder names the app');
    assert.equal(spec.tenancy, 'multi');
    assert.deepEqual(Object.keys(spec.collections).sort(), ['articles', 'authors', 'tags']);
    const seed = JSON.parse(readFileSync(join(dir, 'seed.json'), 'utf8'));
    assert.ok(seed.tenants[0].data.articles.length >= 2);
    assert.match(r.stdout, /Understood:\n {2}- Multi-tenant/);
    assert.match(r.stdout, /Assumptions \(check these\):\n {2}- /);
    assert.match(r.stdout, /Next steps:\n {2}kiln spec check .*kiln\.json\n {2}kiln start .*kiln\.json --seed/);
  });

  test('refuses to overwrite an existing kiln.json without --force, and overwrites with it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kiln.json'), '{"keep": true}');
    const refused = await runKiln(['new', dir, '--describe', CATALOG], privateData());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already exists; use --force/);
    assert.equal(readFileSync(join(dir, 'kiln.json'), 'utf8'), '{"keep": true}');
    const forced = await runKiln(['new', dir, '--describe', CATALOG, '--force'], privateData());
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(JSON.parse(readFileSync(join(dir, 'kiln.json'), 'utf8')).collections.products);
  });

  test('bad usage exits 2 and writes nothing', async () => {
    const dir = join(tempDir(), 'none');
    for (const args of [['new', dir], ['new', '--describe', 'a blog'], ['new', dir, 'extra', '--describe', 'a blog'], ['new', dir, '--describe', '  '], ['new', dir, '--describe', 'x', '--bogus']]) {
      const r = await runKiln(args, privateData());
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: kiln new DIR --describe/);
    }
    assert.equal(existsSync(dir), false);
  });

  test('a description with no collections is refused with a clear message', async () => {
    const dir = join(tempDir(), 'empty');
    const r = await runKiln(['new', dir, '--describe', 'Hello there.'], privateData());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No collections were found/);
    assert.equal(existsSync(join(dir, 'kiln.json')), false);
  });

  test('kiln --help names the new command', async () => {
    const r = await runKiln(['--help']);
    assert.match(r.stdout, /new DIR --describe/);
  });
});

for (const driver of await drivers()) {
  describe(`the generated app serves its seed data (${driver})`, () => {
    for (const [label, description] of [['multi-tenant magazine', MAGAZINE], ['single-tenant catalog', CATALOG]] as const) {
      test(label, async () => {
        const dir = join(tempDir(), 'app');
        const db = await freshDatabase(driver);
        // Planned against the app's own database, so the builder's call is in its AI log.
        const made = await runKiln(['new', dir, '--describe', description], db.env);
        assert.equal(made.code, 0, made.stderr);
        const spec = JSON.parse(readFileSync(join(dir, 'kiln.json'), 'utf8'));
        try {
          const log = await runKiln(['ai', 'log', join(dir, 'kiln.json'), '--json'], db.env);
          assert.equal(log.code, 0, log.stderr);
          const calls = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
          assert.deepEqual(calls.map((c) => [c.prompt, c.source]), [['builder.plan', 'offline']]);
          const server = await startKiln([join(dir, 'kiln.json'), '--seed'], { ...db.env, KILN_ADMIN_TOKEN: 'new-test-root-token-0123456789' });
          try {
            assert.match(server.stderr(), /seeded \d+ items/);
            const base = spec.tenancy === 'multi' ? '/api/t/demo' : '/api';
            const first = spec.tenancy === 'multi' ? 'articles' : 'products';
            const res = await request(server.url, `${base}/${first}`);
            assert.equal(res.status, 200, JSON.stringify(res.body));
            assert.ok(res.body.data.length >= 1, 'the public sees seeded items');
            const titleField = spec.collections[first].titleField;
            assert.equal(typeof res.body.data[0][titleField], 'string');
            if (spec.collections[first].workflow) {
              const all = await request(server.url, `${base}/${first}`, { token: 'new-test-root-token-0123456789' });
              assert.ok(all.body.data.length > res.body.data.length, 'drafts are seeded but hidden from the public');
            }
            const rel = Object.entries(spec.collections[first].fields as Record<string, { type: string }>).find(([, f]) => f.type === 'relation')?.[0];
            if (rel) {
              const expanded = await request(server.url, `${base}/${first}?expand=${rel}`, { token: 'new-test-root-token-0123456789' });
              assert.equal(expanded.status, 200, JSON.stringify(expanded.body));
              assert.ok(expanded.body.data.some((x: Record<string, unknown>) => x[rel] && typeof x[rel] === 'object'), `${rel} links seeded items`);
            }
          } finally {
            await server.stop();
          }
        } finally {
          await db.drop();
        }
      });
    }
  });
}

// The shared development set sits beside the checkout on a developer's machine (../shared); a clone
// elsewhere (CI) has only the repo, where evals/planner.jsonl measures the planner on held-out texts.
const golden = process.env.KILN_GOLDEN_DIR ?? join(ROOT, '../shared/golden');
const goldenMissing = existsSync(join(golden, 'score.mjs')) ? false : `the development set is not at ${golden} (set KILN_GOLDEN_DIR)`;
test('the development set: at least 90% of the cases pass through `kiln new`', { skip: goldenMissing }, () => {
  const out = tempDir();
  mkdirSync(out, { recursive: true });
  const cases = readFileSync(join(golden, 'builder-dev.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { id: string; description: string });
  for (const c of cases) {
    const r = spawnSync(process.execPath, ['bin/kiln.js', 'new', join(out, c.id), '--describe', c.description], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, KILN_DATA_DIR: join(out, '.data') } });
    assert.equal(r.status, 0, `${c.id}: ${r.stderr}`);
  }
  const score = spawnSync(process.execPath, [join(golden, 'score.mjs'), join(golden, 'builder-dev.jsonl'), '--dir', out, '--verbose'], { encoding: 'utf8' });
  const m = /(\d+) passed, (\d+) failed/.exec(score.stdout);
  assert.ok(m, score.stdout + score.stderr);
  const passed = Number(m[1]);
  const total = passed + Number(m[2]);
  assert.ok(passed / total >= 0.9, `only ${passed} of ${total} cases pass:\n${score.stdout}`);
});
