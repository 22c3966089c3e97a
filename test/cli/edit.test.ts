// `kiln edit` as an operator runs it, in a real app folder whose server keeps running: without --yes
// nothing changes; a breaking edit is refused without --allow-breaking; a safe edit applied with
// --yes rewrites kiln.json, migrates the database, and the running server serves the new field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, request, runKiln, startKiln, type KilnServer } from './kiln-process.ts';
import { ROOT_TOKEN, drivers, exampleSpec, freshDatabase } from '../harness.ts';

/** How long a running server may take to follow an applied migration (it polls every 2 s). */
const FOLLOW_BOUND_MS = 15_000;

after(killAll);

async function eventually(check: () => Promise<boolean>, bound: number): Promise<boolean> {
  const end = Date.now() + bound;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const d of await drivers()) {
  describe(`kiln edit in an app folder (${d})`, () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let env: Record<string, string | undefined>;
    let dir: string;
    let specFile: string;
    let server: KilnServer;
    let postId: string;
    const api = (path: string, init: { method?: string; body?: unknown } = {}) => request(server.url, path, { ...init, token: ROOT_TOKEN });
    const edit = (...args: string[]) => runKiln(['edit', ...args], env);

    before(async () => {
      db = await freshDatabase(d);
      env = { KILN_DATA_DIR: db.env.KILN_DATA_DIR, KILN_DATABASE_URL: db.env.KILN_DATABASE_URL };
      dir = mkdtempSync(join(tmpdir(), 'kiln-edit-cli-'));
      specFile = join(dir, 'kiln.json');
      const spec = structuredClone(exampleSpec('blog'));
      delete spec.$schema;
      writeFileSync(specFile, JSON.stringify(spec, null, 2) + '\n');
      server = await startKiln([specFile], { ...env, KILN_ADMIN_TOKEN: ROOT_TOKEN });
      const post = await api('/api/posts', { body: { title: 'Hello', body: '<p>First words</p>' } });
      assert.equal(post.status, 201, JSON.stringify(post.body));
      postId = post.body.data.id;
    });
    after(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    });

    it('shows what it understood, the diff and the plan, and changes nothing without --yes', async () => {
      const before = readFileSync(specFile, 'utf8');
      const r = await edit('--describe', 'add a featured flag to posts', specFile);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /Understood:\n {2}- posts\.featured: boolean default false/);
      assert.match(r.stdout, /safe {6}added field posts\.featured/);
      assert.match(r.stdout, /Plan: spec version 1 → 2 \(safe\)/);
      assert.match(r.stdout, /posts: 1 rows copied and checked/);
      assert.match(r.stdout, /Not applied: nothing changed\. Run again with --yes/);
      assert.equal(readFileSync(specFile, 'utf8'), before);
      assert.equal((await api('/api/posts?fields=featured')).status, 400, 'the server does not know the field');
    });

    it('refuses a breaking edit without --allow-breaking, even with --yes', async () => {
      const before = readFileSync(specFile, 'utf8');
      const r = await edit('--describe', 'remove the body from posts', specFile, '--yes');
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /BREAKING {2}removed field posts\.body/);
      assert.match(r.stderr, /this edit is breaking; run again with --allow-breaking/);
      assert.equal(readFileSync(specFile, 'utf8'), before);
      const post = await api(`/api/posts/${postId}`);
      assert.equal(post.body.data.body, '<p>First words</p>');
    });

    it('says what it did not understand and exits 1 without changing anything', async () => {
      const before = readFileSync(specFile, 'utf8');
      const r = await edit('--describe', 'paint the posts a nicer blue', specFile, '--yes');
      assert.equal(r.code, 1);
      assert.match(r.stdout, /Not understood: "paint the posts a nicer blue"/);
      assert.equal(readFileSync(specFile, 'utf8'), before);
    });

    it('refuses what text may not ask for and applies the rest', async () => {
      const r = await edit('--describe', 'add an admin role who can manage posts', specFile);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /Refused:\n {2}- Did not add the role "admin"/);
      assert.match(r.stdout, /No change to/);
    });

    it('applies a safe edit with --yes: kiln.json is rewritten and the running server serves the new field', async () => {
      const r = await edit('--describe', 'add a featured flag to posts', specFile, '--yes');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /Applied: spec version 2/);
      const written = JSON.parse(readFileSync(specFile, 'utf8'));
      assert.deepEqual(written.collections.posts.fields.featured, { type: 'boolean', default: false });
      assert.ok(await eventually(async () => (await api('/api/posts?fields=featured')).status === 200, FOLLOW_BOUND_MS), 'the server follows the migration');
      const created = await api('/api/posts', { body: { title: 'Featured', featured: true } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.data.featured, true);
      const old = await api(`/api/posts/${postId}`);
      assert.equal(old.body.data.title, 'Hello');
    });

    it('applies a rename with --allow-breaking --yes, keeping the stored values', async () => {
      const r = await edit('--describe', 'rename body to content in posts', specFile, '--yes', '--allow-breaking');
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /BREAKING {2}renamed field posts\.body → content/);
      const written = JSON.parse(readFileSync(specFile, 'utf8'));
      assert.equal(written.collections.posts.fields.content.renamedFrom, 'body');
      assert.ok(await eventually(async () => (await api(`/api/posts/${postId}`)).body.data?.content === '<p>First words</p>', FOLLOW_BOUND_MS), 'the value moved to the new name');
    });
  });
}
