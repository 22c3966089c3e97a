// The mail outbox, once per driver: a message survives an SMTP outage and goes out when the server
// comes back (the queue is driven step by step, no timing), and without SMTP the development mail
// viewer shows the outbox to the root token only.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { mailDeliverer, smtpSender } from '../../src/auth/mail/mail-delivery.ts';
import { DELIVER_MAIL, MAIL_OUTBOX } from '../../src/auth/mail/outbox.ts';
import { DbQueue } from '../../src/data/queue/db-queue.ts';
import type { JobHandler, JobQueue } from '../../src/data/queue/job-queue.ts';
import { linkIn, SmtpInbox, startAuthApp } from './helpers.ts';

/** One pass of a worker: claim the due mail jobs, run them, record the outcomes. */
async function runDueMail(queue: JobQueue, handler: JobHandler): Promise<string[]> {
  const outcomes: string[] = [];
  for (const job of await queue.claim({ limit: 10, leaseMs: 60_000, kinds: [DELIVER_MAIL] })) {
    const o = await handler(job);
    outcomes.push(o.status);
    if (o.status === 'done') await queue.complete(job);
    else await queue.fail(job, o.error, o.status === 'retry' ? o.at : null);
  }
  return outcomes;
}

for (const driver of await drivers()) {
  describe(`mail (${driver})`, () => {
    test('SMTP down: the message waits in the outbox and is delivered once the server is up', async () => {
      // A port where no server listens yet.
      const inbox = new SmtpInbox();
      await inbox.start();
      const port = inbox.port;
      await inbox.stop();
      const smtpUrl = `smtp://kiln:secret@127.0.0.1:${port}`;
      const app = await startAuthApp(driver, { smtpUrl });
      try {
        const config = { smtpUrl, from: 'Kiln Test <kiln@example.test>' };
        // Retries come due at once, so the test drives them instead of waiting out a backoff.
        const handler = mailDeliverer(app.store.driver, config, smtpSender(smtpUrl), { retryBaseMs: 0, retryMaxDelayMs: 0 });
        const queue = new DbQueue(app.store.driver);
        const up = await app.post('/api/auth/sign-up/email', { email: 'patient@example.com', password: 'correct horse battery staple', name: 'P' });
        assert.equal(up.status, 200);

        assert.deepEqual(await runDueMail(queue, handler), ['retry']);
        assert.deepEqual(await runDueMail(queue, handler), ['retry']);
        const waiting = await app.store.driver.db.selectFrom(MAIL_OUTBOX).selectAll().execute();
        assert.equal(waiting.length, 1);
        assert.equal(waiting[0].status, 'queued');
        assert.equal(Number(waiting[0].attempts), 2);
        assert.ok(waiting[0].lastError);
        assert.equal((await queue.stats()).queued, 1);

        await inbox.start(port);
        assert.deepEqual(await runDueMail(queue, handler), ['done']);
        const mail = await inbox.nth(1);
        assert.deepEqual(mail.to, ['patient@example.com']);
        assert.match(linkIn(mail.raw, app.url), /\/api\/auth\/verify-email\?token=/);
        const sent = await app.store.driver.db.selectFrom(MAIL_OUTBOX).selectAll().executeTakeFirstOrThrow();
        assert.equal(sent.status, 'sent');
        assert.equal(sent.text, '', 'the single-use link does not outlive delivery');
        assert.deepEqual(await queue.stats(), { queued: 0, running: 0, dead: 0 });
        assert.deepEqual(await runDueMail(queue, handler), [], 'sent once');
      } finally {
        await app.close();
        await inbox.stop();
      }
    });

    test('without SMTP the development mail viewer shows the outbox to the root token', async () => {
      const app = await startAuthApp(driver);
      try {
        const up = await app.post('/api/auth/sign-up/email', { email: 'dev@example.com', password: 'correct horse battery staple', name: 'D' });
        assert.equal(up.status, 200);
        const list = await app.api('/api/dev/mail');
        assert.equal(list.status, 200);
        assert.equal(list.body.data.length, 1);
        const [m] = list.body.data;
        assert.equal(m.to, 'dev@example.com');
        assert.equal(m.kind, 'verify-email');
        assert.equal(m.status, 'held');
        assert.equal(m.text, undefined, 'the list shows no bodies');

        const one = await app.api(`/api/dev/mail/${m.id}`);
        assert.equal(one.status, 200);
        const link = linkIn(one.body.data.text, app.url);
        assert.ok(one.body.data.html.includes('verify-email'));
        // The held link works like a delivered one.
        assert.equal((await app.get(link.slice(app.url.length))).status, 302);
        assert.equal((await app.post('/api/auth/sign-in/email', { email: 'dev@example.com', password: 'correct horse battery staple' })).status, 200);

        const anonymous = await app.api('/api/dev/mail', { token: null });
        assert.equal(anonymous.status, 401);
        assert.match(anonymous.headers.get('content-type')!, /application\/problem\+json/);
        assert.equal((await app.api('/api/dev/mail/not-an-id')).status, 404);
        assert.equal((await app.api('/api/dev/mail/01a21b64-6e65-71a1-b64f-5a32c2c22138')).status, 404);
        // Nothing was queued for delivery: there is nowhere to deliver to.
        assert.deepEqual(await new DbQueue(app.store.driver).stats(), { queued: 0, running: 0, dead: 0 });
      } finally {
        await app.close();
      }
    });
  });
}
