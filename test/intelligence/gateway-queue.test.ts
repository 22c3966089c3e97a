// The durable request queue under the gateway: a job that comes back (its lease ran out after the
// provider had answered) finds its request answered and never reaches the provider again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { drivers } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.ts';
import { openDb, remoteEnv, type Db } from './gateway-fixture.ts';
import { createGateway } from '../../src/intelligence/gateway/gateway.ts';
import { readAiConfig } from '../../src/intelligence/gateway/ai-config.ts';
import { providerFor } from '../../src/intelligence/gateway/providers/provider-for.ts';
import { ModelRequestQueue } from '../../src/intelligence/gateway/storage/model-request-queue.ts';
import { DbQueue } from '../../src/data/queue/db-queue.ts';
import { newId } from '../../src/data/ids.ts';

for (const name of await drivers()) {
  describe(`model request queue (${name})`, () => {
    let db: Db;
    let fake: FakeOpenAi;

    before(async () => {
      db = await openDb(name);
      fake = await startFakeOpenAi();
      // The gateway creates the tables its queue needs.
      await createGateway({ driver: db.driver, config: readAiConfig({}), prompts: [] });
    });
    after(async () => {
      await fake.close();
      await db.close();
    });

    test('a job delivered again after its request was answered does not call the provider twice', async () => {
      const config = readAiConfig(remoteEnv('openai', fake.url));
      const provider = providerFor(config)!;
      const queue = new ModelRequestQueue({ driver: db.driver, provider, endpoint: fake.url, timeoutMs: 5000, concurrency: 2, pollMs: 10 });
      try {
        fake.reply({ json: { summary: 'once' } });
        const request = { model: 'big-model', messages: [{ role: 'user' as const, content: 'hello' }] };
        const outcome = await queue.submit({ callId: newId(), ...request });
        assert.ok(outcome.ok);
        assert.equal(fake.requests.length, 1);
        const row = await db.driver.db.selectFrom('kiln_ai_requests').select('id').executeTakeFirstOrThrow();
        // The same job again, as a worker whose lease ran out would see it.
        await new DbQueue(db.driver).enqueue(db.driver.db, { kind: queue.kind, payload: { requestId: row.id, request } });
        for (let i = 0; i < 500; i++) {
          const left = await db.driver.db.selectFrom('kiln_jobs').select('id').where('kind', '=', queue.kind).execute();
          if (left.length === 0) break;
          await sleep(10);
        }
        assert.equal((await db.driver.db.selectFrom('kiln_jobs').select('id').where('kind', '=', queue.kind).execute()).length, 0);
        assert.equal(fake.requests.length, 1);
      } finally {
        await queue.stop();
      }
    });
  });
}
