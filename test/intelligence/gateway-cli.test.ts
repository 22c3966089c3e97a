// `kiln ai log` as an operator runs it, on calls the gateway recorded in the app's database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { killAll, runKiln } from '../cli/kiln-process.ts';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.ts';
import { gatewayFor, openDb, remoteEnv, summarize, type Db } from './gateway-fixture.ts';
import type { GatewayResult } from '../../src/intelligence/gateway/model-gateway.ts';
import type { Summary } from './gateway-fixture.ts';

const MAGAZINE = 'examples/magazine/kiln.json';

for (const name of await drivers()) {
  describe(`kiln ai log (${name})`, () => {
    let db: Db;
    let fake: FakeOpenAi;
    let offline: GatewayResult<Summary>;
    let model: GatewayResult<Summary>;

    before(async () => {
      // Named after the magazine spec, so `kiln … examples/magazine/kiln.json` opens this database.
      db = await openDb(name, 'magazine');
      fake = await startFakeOpenAi();
      const off = await gatewayFor(db, {});
      offline = await off.run(summarize('acme', 'offline text'));
      const gw = await gatewayFor(db, remoteEnv('openai', fake.url));
      fake.reply({ json: { summary: 'the model says hi' }, usage: { input: 31, output: 6 } });
      model = await gw.run(summarize('globex', 'contact ops@globex.example please'));
      await gw.stop();
    });
    after(async () => {
      await killAll();
      await fake.close();
      await db.close();
    });

    test('lists every call, newest first, with prompt version, model, source and tokens', async () => {
      const r = await runKiln(['ai', 'log', MAGAZINE], db.env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^time\s+id\s+tenant\s+prompt\s+provider\/model\s+source\s+tokens in\/out/);
      assert.equal(lines.length, 3, r.stdout);
      assert.ok(lines[1].includes(model.callId) && lines[2].includes(offline.callId), r.stdout);
      assert.match(lines[1], /globex\s+test\.summarize@v1\s+openai\/big-model\s+model\s+31\/6\s+\d+\s+ok/);
      assert.match(lines[2], /acme\s+test\.summarize@v1\s+offline\/offline\s+offline\s+0\/0/);
    });

    test('filters by tenant, prompt, version and model; --json prints one object a line', async () => {
      const byTenant = await runKiln(['ai', 'log', MAGAZINE, '--tenant', 'acme', '--json'], db.env);
      assert.equal(byTenant.code, 0, byTenant.stderr);
      const rows = byTenant.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((row) => row.id), [offline.callId]);
      assert.equal(rows[0].source, 'offline');

      const byModel = await runKiln(['ai', 'log', MAGAZINE, '--model', 'big-model', '--json'], db.env);
      assert.deepEqual(byModel.stdout.trim().split('\n').map((l) => JSON.parse(l).id), [model.callId]);

      const none = await runKiln(['ai', 'log', MAGAZINE, '--prompt', 'test.summarize', '--version', 'v9'], db.env);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout.trim(), 'no model calls recorded');

      const limited = await runKiln(['ai', 'log', MAGAZINE, '--limit', '1', '--json'], db.env);
      assert.equal(limited.stdout.trim().split('\n').length, 1);
    });

    test('--show prints the stored prompt (as sent, redacted) and the output', async () => {
      const r = await runKiln(['ai', 'log', MAGAZINE, '--show', model.callId], db.env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`call\\s+${model.callId}`));
      assert.match(r.stdout, /--- user\nSummarize: contact \[EMAIL_1\] please/);
      assert.ok(!r.stdout.includes('ops@globex.example'), r.stdout);
      assert.match(r.stdout, /output \(sha256 [0-9a-f]{64}\):\n\{"summary":"the model says hi"\}/);

      const missing = await runKiln(['ai', 'log', MAGAZINE, '--show', '01900000-0000-7000-8000-000000000000'], db.env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no call with id/);
    });

    test('a bad option is a usage error', async () => {
      const r = await runKiln(['ai', 'log', MAGAZINE, '--limit', 'lots'], db.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--limit must be a whole number/);
    });
  });
}
