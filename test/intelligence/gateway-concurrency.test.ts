// The per-provider concurrency limit, once per driver: with KILN_AI_CONCURRENCY=2, six calls started
// at once never have more than two requests open at the provider, and all six complete with their
// own answers. The fake server holds every request open until the test releases it, so nothing here
// depends on timing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { drivers } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi, type FakeReply } from './fake-openai-server.ts';
import { gatewayFor, openDb, remoteEnv, summarize, type Db } from './gateway-fixture.ts';
import { AI_TABLES } from '../../src/data/ai/ai-tables.ts';
import { JOBS_TABLE } from '../../src/data/queue/db-queue.ts';

const CALLS = 6;
const LIMIT = 2;

for (const name of await drivers()) {
  describe(`gateway concurrency limit (${name})`, () => {
    let db: Db;
    let fake: FakeOpenAi;

    before(async () => {
      db = await openDb(name);
      fake = await startFakeOpenAi();
    });
    after(async () => {
      await fake.close();
      await db.close();
    });

    test(`${CALLS} calls with KILN_AI_CONCURRENCY=${LIMIT}: at most ${LIMIT} requests in flight, all complete`, async () => {
      // Requests as they arrive, each with the release that answers it.
      const held: { text: string; release: () => void }[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      let arrived: (() => void) | undefined;
      fake.handle((request) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const text = /Summarize: (.*)$/.exec(request.body.messages.at(-1)!.content)![1];
        return new Promise<FakeReply>((resolve) => {
          held.push({
            text,
            release: () => {
              inFlight--;
              resolve({ json: { summary: `summary of ${text}` } });
            },
          });
          arrived?.();
        });
      });
      /** Resolves once `n` requests have reached the server. */
      const arrivals = (n: number) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (held.length < n) return;
            arrived = undefined;
            resolve();
          };
          arrived = check;
          check();
        });

      /**
       * Waits until every request job the worker has claimed (leased, not finished) has reached the
       * server, so no request is on its way; returns how many it holds. A worker ignoring the limit
       * would have claimed every queued job.
       */
      const claimedArrived = async (): Promise<number> => {
        for (;;) {
          const rows = await db.driver.db.selectFrom(JOBS_TABLE).select('payload').where('state', '=', 'queued').where('leaseToken', 'is not', null).execute();
          const texts = rows.map((r) => /Summarize: (.*)$/.exec((JSON.parse(r.payload as string) as { request: { messages: { content: string }[] } }).request.messages.at(-1)!.content)![1]);
          if (texts.every((t) => held.some((h) => h.text === t))) return texts.length;
          await sleep(5);
        }
      };
      const queued = async () => Number((await db.driver.db.selectFrom(AI_TABLES.requests).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

      const gateway = await gatewayFor(db, remoteEnv('openai', fake.url, { KILN_AI_CONCURRENCY: String(LIMIT) }));
      try {
        const texts = Array.from({ length: CALLS }, (_, i) => `text number ${i}`);
        const calls = texts.map((t) => gateway.run(summarize('acme', t)));

        await arrivals(LIMIT);
        // Every call is queued before anything is released, and whatever the worker took has arrived.
        while ((await queued()) < CALLS) await sleep(5);
        assert.ok((await claimedArrived()) <= LIMIT, 'the worker leased no more jobs than the limit');
        assert.equal(inFlight, LIMIT);

        // Released one at a time; each release lets exactly one more request in.
        for (let i = 0; i < CALLS; i++) {
          held[i].release();
          if (LIMIT + i + 1 <= CALLS) await arrivals(LIMIT + i + 1);
          assert.ok((await claimedArrived()) <= LIMIT, `no more than ${LIMIT} jobs leased after release ${i + 1}`);
          assert.ok(inFlight <= LIMIT, `${inFlight} requests in flight after release ${i + 1}`);
        }

        const results = await Promise.all(calls);
        assert.deepEqual(results.map((r) => r.value.summary), texts.map((t) => `summary of ${t}`));
        assert.ok(results.every((r) => r.source === 'model'));
        assert.equal(fake.requests.length, CALLS);
        assert.equal(maxInFlight, LIMIT, 'never more than the limit, and the limit was used');
        assert.deepEqual(held.map((h) => h.text).sort(), [...texts].sort(), 'each call reached the provider once');
      } finally {
        for (const h of held) h.release();
        fake.handle(undefined);
        await gateway.stop();
      }
    });
  });
}
