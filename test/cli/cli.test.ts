// The kiln command as an operator runs it: bin/kiln.js in a child process.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, killAll, request, runKiln, startKiln } from './kiln-process.ts';

const MAGAZINE = 'examples/magazine/kiln.json';
const temps: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
  temps.push(d);
  return d;
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

function magazine(): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(readFileSync(join(ROOT, MAGAZINE), 'utf8'));
}

/** A spec with three problems at known paths. */
const INVALID = {
  kiln: 1,
  name: 'broken',
  tenancy: 'multi',
  collections: {
    posts: {
      fields: {
        title: { type: 'string' },
        id: { type: 'string' },
        author: { type: 'relation', to: 'writers' },
        views: { type: 'integer', min: 10, max: 1 },
      },
    },
  },
};
const INVALID_PATHS = ['/collections/posts/fields/id', '/collections/posts/fields/author/to', '/collections/posts/fields/views/min'];

after(async () => {
  await killAll();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('help and usage', () => {
  test('kiln --help lists the commands and exits 0', async () => {
    const r = await runKiln(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['start', 'spec check', 'spec schema']) assert.ok(r.stdout.includes(c), `help names ${c}:\n${r.stdout}`);
  });

  test('kiln with no command prints the help and exits 1', async () => {
    const r = await runKiln([]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Usage: kiln <command>/);
  });

  test('kiln start --help documents the options and environment, exits 0, starts nothing', async () => {
    const r = await runKiln(['start', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: kiln start/);
    for (const w of ['--seed', 'PORT', 'KILN_DATA_DIR', 'KILN_DATABASE_URL', 'KILN_ADMIN_TOKEN']) assert.ok(r.stdout.includes(w), `start help names ${w}`);
    assert.doesNotMatch(r.stderr, /listening|kiln: .* on /);
  });

  test('kiln spec --help lists check and schema and exits 0', async () => {
    const r = await runKiln(['spec', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: kiln spec/);
    assert.match(r.stdout, /check/);
    assert.match(r.stdout, /schema/);
  });

  test('kiln --version prints the package version', async () => {
    const r = await runKiln(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  test('an unknown command exits 1 and names it', async () => {
    const r = await runKiln(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  test('an unknown spec subcommand exits 1 and names it', async () => {
    const r = await runKiln(['spec', 'lint']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command "lint"/);
  });
});

describe('kiln spec check', () => {
  for (const file of ['examples/magazine/kiln.json', 'examples/blog/kiln.json']) {
    test(`${file} is valid: exit 0`, async () => {
      const r = await runKiln(['spec', 'check', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /valid/);
      assert.equal(r.stderr, '');
    });
  }

  test('an invalid spec exits 1, naming every problem by JSON path with a fix', async () => {
    const file = writeJson(tempDir(), 'kiln.json', INVALID);
    const r = await runKiln(['spec', 'check', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /3 problems/);
    for (const p of INVALID_PATHS) assert.ok(r.stderr.includes(`${p}:`), `stderr names ${p}:\n${r.stderr}`);
    assert.equal(r.stderr.match(/fix: /g)?.length, 3, r.stderr);
  });

  test('--json prints the errors as JSON and exits 1', async () => {
    const file = writeJson(tempDir(), 'kiln.json', INVALID);
    const r = await runKiln(['spec', 'check', '--json', file]);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, false);
    assert.deepEqual(out.errors.map((e: { path: string }) => e.path).sort(), [...INVALID_PATHS].sort());
    for (const e of out.errors) {
      assert.equal(typeof e.message, 'string');
      assert.ok(e.fix.length > 0);
    }
    assert.deepEqual(out.warnings, []);
  });

  test('--json on a valid spec prints ok and exits 0', async () => {
    const r = await runKiln(['spec', 'check', '--json', MAGAZINE]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, warnings: [] });
  });

  test('warnings are printed but keep exit 0', async () => {
    const spec = magazine();
    spec.workflow = { states: ['draft'] };
    const file = writeJson(tempDir(), 'kiln.json', spec);
    const r = await runKiln(['spec', 'check', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/workflow/);
    const j = await runKiln(['spec', 'check', '--json', file]);
    assert.equal(j.code, 0);
    assert.deepEqual(JSON.parse(j.stdout).warnings.map((w: { path: string }) => w.path), ['/workflow']);
  });

  test('a file that is not JSON exits 1 with a fix', async () => {
    const file = writeJson(tempDir(), 'kiln.json', '{ "kiln": 1, ');
    const r = await runKiln(['spec', 'check', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not valid JSON/);
    assert.match(r.stderr, /fix:/);
  });

  test('a missing file exits 1', async () => {
    const r = await runKiln(['spec', 'check', join(tempDir(), 'nope.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no spec file/);
  });
});

describe('kiln spec schema', () => {
  test('prints a JSON Schema of the spec format that describes collections', async () => {
    const r = await runKiln(['spec', 'schema']);
    assert.equal(r.code, 0, r.stderr);
    const schema = JSON.parse(r.stdout);
    assert.match(schema.$schema, /json-schema\.org/);
    assert.equal(schema.type, 'object');
    assert.ok(schema.properties.collections, 'has properties.collections');
    assert.ok(schema.required.includes('collections'));
    assert.equal(schema.additionalProperties, false);
  });

  test('matches the committed schema/kiln-spec-1.json the examples point at', async () => {
    const r = await runKiln(['spec', 'schema']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(readFileSync(join(ROOT, 'schema/kiln-spec-1.json'), 'utf8')));
  });
});

describe('kiln start', () => {
  test('an invalid spec exits 1 naming the problems by path, and serves nothing', async () => {
    const dir = tempDir();
    const file = writeJson(dir, 'kiln.json', INVALID);
    const r = await runKiln(['start', file], { PORT: '0', KILN_DATA_DIR: join(dir, 'data') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a valid spec/);
    for (const p of INVALID_PATHS) assert.ok(r.stderr.includes(p), `stderr names ${p}:\n${r.stderr}`);
    assert.match(r.stderr, /fix:/);
    assert.doesNotMatch(r.stderr, / at http:\/\//);
  });

  test('a missing spec file exits 1', async () => {
    const dir = tempDir();
    const r = await runKiln(['start', join(dir, 'missing.json')], { PORT: '0', KILN_DATA_DIR: join(dir, 'data') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no spec file/);
  });

  test('a KILN_ADMIN_TOKEN shorter than 16 characters is refused', async () => {
    const dir = tempDir();
    const r = await runKiln(['start', MAGAZINE], { PORT: '0', KILN_DATA_DIR: dir, KILN_ADMIN_TOKEN: 'short' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /at least 16 characters/);
  });

  describe('serving, the root token and a changed spec on one data dir', () => {
    const dataDir = tempDir();
    let token = '';

    test('first start serves health and prints a root token once; the token writes', async (t) => {
      const server = await startKiln([MAGAZINE], { KILN_DATA_DIR: dataDir });
      t.after(() => server.stop());
      assert.equal(server.app, 'magazine');
      assert.equal(server.driver, 'sqlite');
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const health = await request(server.url, '/api/health');
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok', app: 'magazine', driver: 'sqlite' });

      const shown = server.stderr().match(/root API token[^\n]*\n\s*\n\s+(\S+)\s*\n/);
      assert.ok(shown, `the first start prints the root token:\n${server.stderr()}`);
      token = shown[1];
      assert.ok(token.length >= 32, token);
      assert.equal(server.stderr().split(token).length - 1, 1, 'the token is printed exactly once');
      assert.ok(!server.stdout().includes(token), 'the token is not written to stdout (logs)');

      const anonymous = await request(server.url, '/api/tenants', { body: { slug: 'northwind', name: 'Northwind' } });
      assert.ok([401, 403].includes(anonymous.status), `anonymous tenant creation is refused: ${anonymous.status}`);
      const wrong = await request(server.url, '/api/tenants', { body: { slug: 'northwind', name: 'Northwind' }, token: `${token}x` });
      assert.equal(wrong.status, 401);

      const created = await request(server.url, '/api/tenants', { body: { slug: 'northwind', name: 'Northwind' }, token });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.data.slug, 'northwind');

      const author = await request(server.url, '/api/t/northwind/authors', { body: { name: 'Ada' }, token });
      assert.equal(author.status, 201, JSON.stringify(author.body));
      const read = await request(server.url, `/api/t/northwind/authors/${author.body.data.id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.data.name, 'Ada');
    });

    test('second start on the same data does not print a token; the first token still writes', async (t) => {
      assert.ok(token, 'needs the token of the first start');
      const server = await startKiln([MAGAZINE], { KILN_DATA_DIR: dataDir });
      t.after(() => server.stop());
      assert.doesNotMatch(server.stderr(), /root API token/);
      assert.ok(!server.stderr().includes(token));
      assert.doesNotMatch(server.stderr(), /kiln_[A-Za-z0-9_-]{20,}/);

      const created = await request(server.url, '/api/tenants', { body: { slug: 'southwind', name: 'Southwind' }, token });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const list = await request(server.url, '/api/tenants', { token });
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data.map((x: { slug: string }) => x.slug), ['northwind', 'southwind']);
    });

    test('with KILN_ADMIN_TOKEN set, that token writes and none is printed', async (t) => {
      const adminToken = 'cli-test-admin-token-0123456789';
      const server = await startKiln([MAGAZINE], { KILN_DATA_DIR: dataDir, KILN_ADMIN_TOKEN: adminToken });
      t.after(() => server.stop());
      assert.doesNotMatch(server.stderr(), /root API token/);
      assert.ok(!server.stderr().includes(adminToken));
      const r = await request(server.url, '/api/t/northwind/authors', { body: { name: 'Grace' }, token: adminToken });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    });

    test('a start with a changed spec (one more field) exits 1 and explains the difference', async () => {
      const spec = magazine();
      spec.collections.authors.fields.twitter = { type: 'string' };
      delete spec.$schema;
      const file = writeJson(tempDir(), 'kiln.json', spec);
      const r = await runKiln(['start', file], { PORT: '0', KILN_DATA_DIR: dataDir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /different/);
      assert.match(r.stderr, /authors\.twitter/);
      assert.match(r.stderr, /new in the spec/);
      assert.doesNotMatch(r.stderr, / at http:\/\//);
    });

    test('the data is untouched: the original spec still starts and reads it', async (t) => {
      const server = await startKiln([MAGAZINE], { KILN_DATA_DIR: dataDir });
      t.after(() => server.stop());
      const list = await request(server.url, '/api/t/northwind/authors');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.data.map((a: { name: string }) => a.name).sort(), ['Ada', 'Grace']);
      assert.equal(list.body.data[0].twitter, undefined);
    });

    test('SIGTERM stops the server cleanly with exit 0', async () => {
      const server = await startKiln([MAGAZINE], { KILN_DATA_DIR: dataDir });
      const r = await server.stop();
      assert.deepEqual(r, { code: 0, signal: null });
    });
  });

  test('--seed loads seed.json beside the spec into an empty app', async (t) => {
    const server = await startKiln([MAGAZINE, '--seed'], { KILN_DATA_DIR: tempDir() });
    t.after(() => server.stop());
    assert.match(server.stderr(), /seeded \d+ items/);
    const seed = JSON.parse(readFileSync(join(ROOT, 'examples/magazine/seed.json'), 'utf8'));
    const slug = seed.tenants[0].slug;
    const r = await request(server.url, `/api/t/${slug}/authors?meta=total_count`);
    assert.equal(r.status, 200);
    assert.equal(r.body.meta.total_count, seed.tenants[0].data.authors.length);
  });
});
