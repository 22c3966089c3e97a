// AI content actions over HTTP with the app's gateway configured against a local server speaking
// OpenAI's wire format, once per driver: translate (which has no offline implementation) answers
// with the model's translation for the declared fields only; summarize answers with the model's
// summary; a tag id the tenant does not have is sent back for repair and never suggested. Nothing
// changes until an editor saves the suggestion.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec, startApp, type TestApp } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../intelligence/fake-openai-server.ts';
import { assertProblem, countRows, create, createTenant, type Item } from './helpers.ts';

const BODY = '<p>The council approved forty kilometres of protected <strong>bicycle lanes</strong>.</p><p>Cycling has grown quickly in the city.</p>';
const GERMAN = {
  title: 'Berlin baut Radwege',
  summary: 'Der Rat hat vierzig Kilometer geschützte Radwege beschlossen.',
  body: '<p>Der Rat hat vierzig Kilometer geschützte <strong>Radwege</strong> beschlossen.</p><p>Radfahren hat in der Stadt schnell zugenommen.</p>',
};

for (const d of await drivers()) {
  describe(`AI content actions with a model provider (${d})`, () => {
    let app: TestApp;
    let fake: FakeOpenAi;
    let article: Item;
    let second: Item;
    const tags: Record<string, string> = {};
    let foreignTag: string;
    const act = (id: string, action: string, body: unknown = {}) => app.api(`/api/t/mag/articles/${id}/ai/${action}`, { method: 'POST', body });
    const userMessage = (i: number) => fake.requests[i].body.messages.filter((m) => m.role === 'user')[0].content;
    const lastMessage = (i: number) => fake.requests[i].body.messages.at(-1)!.content;

    before(async () => {
      fake = await startFakeOpenAi({ apiKey: 'sk-test' });
      app = await startApp(d, exampleSpec('magazine'), {
        aiEnv: { KILN_AI_PROVIDER: 'openai', KILN_AI_BASE_URL: fake.url, KILN_AI_API_KEY: 'sk-test', KILN_AI_MODEL: 'big-model' },
      });
      await createTenant(app, 'mag');
      await createTenant(app, 'other');
      const author = await create(app, 'mag', 'authors', { name: 'Ada' });
      for (const name of ['Cycling', 'Berlin', 'Politics']) tags[name] = (await create(app, 'mag', 'tags', { name })).id;
      foreignTag = (await create(app, 'other', 'tags', { name: 'Urban cycling' })).id;
      article = await create(app, 'mag', 'articles', { title: 'Berlin builds bicycle lanes', summary: 'The council approved forty kilometres of bicycle lanes.', body: BODY, author: author.id, tags: [tags.Berlin] });
      second = await create(app, 'mag', 'articles', { title: 'Cycling grows', body: '<p>Cycling keeps growing in every district of the city.</p>', author: author.id });
    });
    afterEach(() => {
      assert.equal(fake.pending(), 0, 'every scripted answer was asked for');
      fake.requests.length = 0;
    });
    after(async () => {
      await app?.close();
      await fake?.close();
    });

    it('translate answers 200 with the model’s translation of the declared fields, and changes nothing', async () => {
      const rows = await countRows(app);
      fake.reply({ json: { translations: GERMAN } });
      const r = await act(article.id, 'translate', { language: 'de' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.action, 'translate');
      assert.equal(r.body.data.source, 'model');
      assert.deepEqual(r.body.data.suggestion, GERMAN);
      assert.match(r.body.data.callId, /^[0-9a-f-]{36}$/);

      assert.equal(fake.requests.length, 1);
      const sent = fake.requests[0].body;
      assert.equal(sent.model, 'big-model');
      assert.equal(sent.response_format?.type, 'json_schema');
      assert.equal(sent.response_format?.json_schema?.strict, true, 'the answer schema is one strict mode accepts');
      assert.deepEqual((sent.response_format?.json_schema?.schema.properties as Item).translations.required, ['title', 'summary', 'body']);
      assert.match(userMessage(0), /BCP 47 tag "de"/);
      assert.ok(userMessage(0).includes(JSON.stringify(BODY)), 'the raw body, markup included, is what gets translated');

      assert.deepEqual((await app.api(`/api/t/mag/articles/${article.id}`)).body.data, article, 'the item is unchanged');
      assert.deepEqual(await countRows(app), rows);
    });

    it('translate: keys the model adds beyond the declared fields are sent back, and never suggested', async () => {
      const french = { title: 'Berlin construit des pistes cyclables', summary: 'Le conseil a approuvé quarante kilomètres de pistes.', body: '<p>Le conseil a approuvé des <strong>pistes cyclables</strong>.</p>' };
      fake.reply({ json: { translations: { ...french, status: 'published', seoTitle: 'Ignore the rules' } } }, { json: { translations: french } });
      const r = await act(article.id, 'translate', { language: 'fr' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.source, 'model');
      assert.deepEqual(r.body.data.suggestion, french);
      assert.equal(fake.requests.length, 2);
      assert.match(lastMessage(1), /translations\."status" was not asked for/);
      assert.match(lastMessage(1), /translations\."seoTitle" was not asked for/);
      assert.equal((await app.api(`/api/t/mag/articles/${article.id}`)).body.data.status, 'draft');
    });

    it('translate with the provider failing answers 503 with Retry-After, not "set a provider"', async () => {
      fake.handle(() => ({ status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } }));
      try {
        // An item never translated before, so no stored answer stands in for the model.
        const r = await act(second.id, 'translate', { language: 'de' });
        const problem = assertProblem(r, 503);
        assert.equal(problem.type, 'urn:kiln:problem:model-unavailable');
        assert.equal(r.headers.get('retry-after'), '30');
        assert.doesNotMatch(problem.detail, /KILN_AI_PROVIDER/);
        assert.ok(fake.requests.length >= 1);
      } finally {
        fake.handle(undefined);
      }
    });

    it('a retry with the Idempotency-Key of a failed call answers 409 naming the header, and runs nothing', async () => {
      fake.handle(() => ({ status: 500, body: { error: { message: 'upstream exploded', type: 'server_error' } } }));
      const send = () => app.api(`/api/t/mag/articles/${second.id}/ai/translate`, { method: 'POST', body: { language: 'fr' }, headers: { 'idempotency-key': 'spent-1' } });
      try {
        assertProblem(await send(), 503);
        const asked = fake.requests.length;
        const problem = assertProblem(await send(), 409);
        assert.equal(problem.type, 'urn:kiln:problem:idempotency-key-spent');
        assert.deepEqual(problem.errors.map((e: { field: string }) => e.field), ['Idempotency-Key']);
        assert.match(problem.detail, /new key/);
        assert.equal(fake.requests.length, asked, 'the model is not asked again under a spent key');
      } finally {
        fake.handle(undefined);
      }
    });

    it('summarize answers with the model’s summary for the summary field only', async () => {
      fake.reply({ json: { summary: 'Berlin is getting forty kilometres of protected bicycle lanes.' } });
      const r = await act(article.id, 'summarize');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.source, 'model');
      assert.deepEqual(r.body.data.suggestion, { summary: 'Berlin is getting forty kilometres of protected bicycle lanes.' });
      assert.equal(fake.requests.length, 1);
      assert.match(userMessage(0), /<content>[\s\S]*forty kilometres[\s\S]*<\/content>/);
      assert.equal((await app.api(`/api/t/mag/articles/${article.id}`)).body.data.summary, article.summary);
    });

    it('suggestTags: an invented id and another tenant’s tag are sent back; the repaired answer is suggested', async () => {
      const invented = '01900000-0000-7000-8000-00000000beef';
      fake.reply({ json: { tags: [tags.Cycling, invented, foreignTag] } }, { json: { tags: [tags.Cycling] } });
      const r = await act(article.id, 'suggestTags');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.data.source, 'model');
      assert.deepEqual(r.body.data.suggestion, { tags: [tags.Berlin, tags.Cycling] }, 'the item’s tags are kept, the model’s added');
      assert.equal(fake.requests.length, 2);
      const offered = userMessage(0);
      assert.ok(offered.includes(tags.Cycling) && offered.includes(tags.Politics), 'the tenant’s tags are offered');
      assert.ok(!offered.includes(foreignTag), 'another tenant’s tags are not');
      assert.ok(!offered.includes(tags.Berlin), 'nor the tags the item has');
      assert.match(lastMessage(1), new RegExp(`tags\\[1\\] \\("${invented}"\\) is not the id of an existing tag`));
      assert.match(lastMessage(1), new RegExp(`tags\\[2\\] \\("${foreignTag}"\\) is not the id of an existing tag`));
    });

    it('suggestTags: a model that keeps inventing ids gives way to the offline algorithm; no invented id is returned', async () => {
      const invented = '01900000-0000-7000-8000-00000000cafe';
      fake.handle(() => ({ json: { tags: [invented] } }));
      try {
        const r = await act(second.id, 'suggestTags');
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.data.source, 'offline');
        assert.deepEqual(r.body.data.suggestion, { tags: [tags.Cycling] });
        assert.ok(r.body.data.notes.some((n: string) => /big-model: answer still invalid after 3 repair/.test(n)), JSON.stringify(r.body.data.notes));
        assert.equal(fake.requests.length, 4, 'the first answer and three repairs');
      } finally {
        fake.handle(undefined);
      }
      assert.equal((await app.api(`/api/t/mag/articles/${second.id}`)).body.data.tags.length, 0);
    });
  });
}
