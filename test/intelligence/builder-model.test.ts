// The builder through a real gateway configured against a local server speaking each provider's wire
// format, once per driver: a model's valid spec is what the builder returns; an invalid one goes back
// with its problems and the repaired answer is used; whatever a model slips in that raises
// privileges or drops tenancy is taken out by the guard with a `refused` entry; a model that keeps
// failing gives way to the fallback model, then to the offline planner; a model's patch is applied.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers, exampleSpec } from '../harness.ts';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.ts';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic-server.ts';
import { openDb, remoteEnv, type Db } from './gateway-fixture.ts';
import { createGateway, type Gateway } from '../../src/intelligence/gateway/gateway.ts';
import { readAiConfig } from '../../src/intelligence/gateway/ai-config.ts';
import { allPrompts } from '../../src/intelligence/prompts.ts';
import { editAnswerJsonSchema, editApp, planAnswerJsonSchema, planApp } from '../../src/intelligence/builder/builder.ts';
import { fitsStrictMode } from '../../src/intelligence/gateway/providers/strict-schema.ts';
import { checkSpec } from '../../src/spec/check.ts';

const DESCRIPTION = 'A cookbook site with recipes and chefs. Recipes have a title, a cooking time in minutes and a difficulty (easy, medium, hard); each recipe is written by a chef.';

/** A model's plan that the offline planner would never write (its names and field choices differ). */
function modelSpec(): Record<string, unknown> {
  return {
    kiln: 1,
    name: 'whateverTheModelSays',
    title: 'Kitchen notebook',
    tenancy: 'single',
    collections: {
      dishes: {
        titleField: 'headline',
        fields: {
          headline: { type: 'string', required: true, max: 160 },
          minutesAtStove: { type: 'integer', min: 0 },
          effort: { type: 'enum', values: ['low', 'mid', 'high'] },
          cook: { type: 'relation', to: 'cooks' },
        },
      },
      cooks: { titleField: 'fullName', fields: { fullName: { type: 'string', required: true } } },
    },
    roles: { public: { can: { dishes: ['read'], cooks: ['read'] } } },
  };
}

const MODEL_PLAN = () => ({ spec: modelSpec(), understood: ['Dishes are written by cooks.'], assumptions: ['Effort levels are low, mid and high.'] });

/** The same plan with a relation to a collection that does not exist: it fails checkSpec. */
function brokenPlan() {
  const plan = MODEL_PLAN();
  const dishes = (plan.spec.collections as Record<string, { fields: Record<string, unknown> }>).dishes;
  dishes.fields.cook = { type: 'relation', to: 'chefs' };
  return plan;
}

/** Each test asks under its own tenant: the cache is per tenant, so no test is answered from another's. */
let tenants = 0;
const tenant = () => `t${++tenants}`;

type Body = { model: string; messages: { role: string; content: string }[]; max_tokens?: number };

async function builderGateway(db: Db, env: Record<string, string>, maxAttempts?: number): Promise<Gateway> {
  return createGateway({ driver: db.driver, config: readAiConfig(env), prompts: allPrompts, env, queue: { pollMs: 10, retryBaseMs: 10, ...(maxAttempts !== undefined && { maxAttempts }) } });
}

for (const name of await drivers()) {
  describe(`the builder with a model provider (${name})`, () => {
    let db: Db;
    let openai: FakeOpenAi;
    let anthropic: FakeAnthropic;
    let gateway: Gateway | undefined;
    // One gateway at a time: gateways on one database share the provider's queue, so a worker left
    // running (with other settings) could take the next test's requests.
    const gatewayFor = async (env: Record<string, string>, maxAttempts?: number) => (gateway = await builderGateway(db, env, maxAttempts));

    before(async () => {
      db = await openDb(name, 'builder');
      openai = await startFakeOpenAi({ apiKey: 'sk-test' });
      anthropic = await startFakeAnthropic({ apiKey: 'sk-test' });
    });
    afterEach(async () => {
      await gateway?.stop();
      gateway = undefined;
      assert.equal(openai.pending() + anthropic.pending(), 0, 'every scripted answer was asked for');
    });
    after(async () => {
      await openai.close();
      await anthropic.close();
      await db.close();
    });
    const reset = () => {
      openai.requests.length = 0;
      anthropic.requests.length = 0;
      openai.handle(undefined);
      anthropic.handle(undefined);
    };

    test('OpenAI: the model’s valid spec is the plan, asked for with the json_schema response format and the description', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      openai.reply({ json: MODEL_PLAN() });
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });

      assert.equal(plan.source, 'model');
      assert.equal(plan.provider, 'openai');
      assert.equal(plan.model, 'big-model');
      assert.equal(plan.spec.name, 'cookbook', 'the caller names the app, not the model');
      assert.equal(plan.spec.title, 'Kitchen notebook');
      assert.deepEqual(Object.keys(plan.spec.collections).sort(), ['cooks', 'dishes']);
      assert.deepEqual(plan.spec.collections.dishes.fields.effort, { type: 'enum', values: ['low', 'mid', 'high'] });
      assert.deepEqual(plan.understood, ['Dishes are written by cooks.']);
      assert.ok(plan.assumptions.includes('Effort levels are low, mid and high.'), JSON.stringify(plan.assumptions));
      assert.deepEqual(plan.refused, []);
      assert.ok(checkSpec(plan.spec).ok);
      const dishes = plan.seed.tenants[0].data.dishes as Record<string, unknown>[];
      assert.ok(dishes.length >= 1 && typeof dishes[0].headline === 'string', 'sample content for the model’s own collections');

      assert.equal(openai.requests.length, 1);
      const sent = openai.requests[0].body;
      assert.equal(openai.requests[0].headers.authorization, 'Bearer sk-test');
      assert.equal(sent.model, 'big-model');
      assert.equal(sent.response_format?.type, 'json_schema');
      assert.equal(sent.response_format?.json_schema?.schema.title, 'Kiln app plan');
      assert.ok(sent.response_format?.json_schema?.schema.properties, 'the schema describes the answer');
      // A spec has maps (collections, fields, roles) and optional keys, which OpenAI's strict mode refuses with a 400 on every call.
      assert.equal(sent.response_format?.json_schema?.strict, false);
      const user = sent.messages.find((m) => m.role === 'user')!;
      assert.ok(user.content.includes(`<description>\n${DESCRIPTION}\n</description>`), user.content);
    });

    test('Anthropic: the model’s spec arrives as the forced tool’s input and is the plan', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('anthropic', anthropic.url));
      anthropic.reply({ json: MODEL_PLAN() });
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });

      assert.equal(plan.source, 'model');
      assert.equal(plan.provider, 'anthropic');
      assert.deepEqual(Object.keys(plan.spec.collections).sort(), ['cooks', 'dishes']);
      assert.equal(plan.spec.collections.dishes.titleField, 'headline');
      assert.equal(anthropic.requests.length, 1);
      const sent = anthropic.requests[0].body;
      assert.equal(anthropic.requests[0].headers['x-api-key'], 'sk-test');
      assert.equal(sent.tool_choice?.type, 'tool');
      const tool = sent.tools?.find((t) => t.name === sent.tool_choice?.name);
      assert.equal(tool?.input_schema.title, 'Kiln app plan');
      assert.ok(sent.messages.some((m) => m.role === 'user' && m.content.includes(DESCRIPTION)));
    });

    test('an answer that fails checkSpec goes back with its problems, and the repaired answer is used', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      openai.reply({ json: brokenPlan() }, { json: MODEL_PLAN() });
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });

      assert.equal(plan.source, 'model');
      assert.deepEqual(plan.spec.collections.dishes.fields.cook, { type: 'relation', to: 'cooks' });
      assert.equal(openai.requests.length, 2);
      const repair = openai.requests[1].body.messages;
      assert.equal(repair.at(-2)?.role, 'assistant');
      assert.deepEqual(JSON.parse(repair.at(-2)!.content), brokenPlan(), 'the model sees its own answer');
      assert.equal(repair.at(-1)?.role, 'user');
      assert.match(repair.at(-1)!.content, /^- \/spec\/collections\/dishes\/fields\/cook\/to: relation "dishes\.cook" points at "chefs", which is not a collection \(Use one of: dishes, cooks\.\)$/m);
      assert.ok(plan.notes.some((n) => /valid after 1 repair/.test(n)), JSON.stringify(plan.notes));
    });

    test('broken JSON is repaired too', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      openai.reply({ text: JSON.stringify(MODEL_PLAN()).slice(0, 40) }, { json: MODEL_PLAN() });
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });
      assert.equal(plan.source, 'model');
      assert.equal(openai.requests.length, 2);
      assert.match(openai.requests[1].body.messages.at(-1)!.content, /the answer is not valid JSON/);
    });

    test('an admin role, a wildcard grant and public deletes from the model are taken out, each with a refused entry', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      const evil = MODEL_PLAN();
      evil.spec.roles = {
        public: { can: { dishes: ['read', 'delete'], cooks: ['read'] } },
        admin: { can: { '*': ['read', 'create', 'update', 'delete'] } },
        kitchen: { can: { '*': ['read', 'update'] } },
      };
      openai.reply({ json: evil });
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });

      assert.equal(plan.source, 'model');
      const roles = plan.spec.roles ?? {};
      assert.deepEqual(Object.keys(roles).sort(), ['kitchen', 'public']);
      assert.deepEqual(roles.public.can, { dishes: ['read'], cooks: ['read'] });
      assert.equal(roles.kitchen.can?.['*'], undefined);
      assert.deepEqual(roles.kitchen.can, { dishes: ['read', 'update'], cooks: ['read', 'update'] });
      assert.equal(plan.refused.length, 3, JSON.stringify(plan.refused));
      assert.ok(plan.refused.some((r) => /Did not add the role "admin"/.test(r)));
      assert.ok(plan.refused.some((r) => /Did not let "public" delete "dishes"/.test(r)));
      assert.ok(plan.refused.some((r) => /wildcard grant "\*" of "kitchen"/.test(r)));
      assert.ok(plan.refused.every((r) => r.includes('(the model asked for it)')), JSON.stringify(plan.refused));
      assert.equal(openai.requests.length, 1, 'a guarded answer is used, not sent back');
    });

    test('a model that keeps failing gives way to the fallback model, then to the offline planner', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url, { KILN_AI_FALLBACK_MODEL: 'small-model' }), 2);
      // The main model is down; the smaller one always answers with a spec that fails checkSpec.
      openai.handle((r) => (r.body.model === 'big-model' ? { status: 500, body: { error: { message: 'boom', type: 'server_error', param: null, code: null } } } : { json: brokenPlan() }));
      const plan = await planApp(g, { description: DESCRIPTION, name: 'cookbook', tenant: tenant() });

      assert.equal(plan.source, 'offline');
      assert.equal(plan.provider, 'offline');
      assert.ok(plan.spec.collections.recipes && plan.spec.collections.chefs, JSON.stringify(Object.keys(plan.spec.collections)));
      assert.equal(plan.spec.collections.dishes, undefined, 'nothing of the model’s answer');
      const byModel = (m: string) => (openai.requests.map((r) => r.body) as Body[]).filter((b) => b.model === m);
      assert.equal(byModel('big-model').length, 2, 'the server error was retried up to the attempt limit');
      assert.equal(byModel('small-model').length, 4, 'the first answer and three repairs');
      assert.equal(openai.requests.length, 6);
      assert.ok(byModel('small-model').every((b) => b.max_tokens === 2048), 'the fallback gets half the answer allowance');
      assert.ok(plan.notes.includes('falling back to small-model'), JSON.stringify(plan.notes));
      assert.ok(plan.notes.some((n) => /^small-model: answer still invalid after 3 repair/.test(n)), JSON.stringify(plan.notes));
      assert.ok(plan.notes.includes('used the offline implementation'));
    });

    test('the model’s edit patch is applied to the spec', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      const blog = exampleSpec('blog');
      const ops = [
        { op: 'addField', collection: 'posts', field: 'spotlight', definition: { type: 'boolean', default: false, required: true } },
        { op: 'renameField', collection: 'comments', field: 'text', to: 'message' },
      ];
      openai.reply({ json: { ops, understood: ['posts.spotlight marks featured posts', 'comments.text is now message'] } });
      const edited = await editApp(g, { tenant: tenant(), spec: blog, request: 'add a featured flag to posts and call the comment text "message"' });

      assert.equal(edited.source, 'model', JSON.stringify(edited.notes));
      assert.deepEqual(edited.patch, { ops });
      assert.deepEqual(edited.spec.collections.posts.fields.spotlight, { type: 'boolean', default: false, required: true });
      assert.equal(edited.spec.collections.posts.fields.featured, undefined, 'not the offline editor’s guess');
      assert.equal(edited.spec.collections.comments.fields.text, undefined);
      assert.equal(edited.spec.collections.comments.fields.message.renamedFrom, 'text');
      assert.deepEqual(edited.understood, ['posts.spotlight marks featured posts', 'comments.text is now message']);
      assert.deepEqual(edited.refused, []);
      assert.equal(openai.requests.length, 1);
      const sent = openai.requests[0].body;
      assert.equal(sent.response_format?.json_schema?.schema.title, 'Kiln spec patch');
      const user = sent.messages.find((m) => m.role === 'user')!.content;
      assert.ok(user.includes('call the comment text "message"'), user);
      assert.ok(user.includes(JSON.stringify(blog)), 'the current spec is in the prompt');
    });

    test('a patch that does not apply goes back with the problem; a patch that drops tenancy or adds an admin is guarded', async () => {
      reset();
      const g = await gatewayFor(remoteEnv('openai', openai.url));
      const magazine = exampleSpec('magazine');
      const wrong = [{ op: 'addField', collection: 'stories', field: 'pinned', definition: { type: 'boolean' } }];
      const evil = [
        { op: 'addField', collection: 'articles', field: 'pinned', definition: { type: 'boolean' } },
        { op: 'setTenancy', tenancy: 'single' },
        { op: 'addRole', role: 'superAdmin', definition: { can: { '*': ['read', 'create', 'update', 'delete'] } } },
        { op: 'grant', role: 'public', collection: 'articles', actions: ['update'] },
      ];
      openai.reply({ json: { ops: wrong } }, { json: { ops: evil } });
      const edited = await editApp(g, { tenant: tenant(), spec: magazine, request: 'add a pinned flag to articles' });

      assert.equal(edited.source, 'model');
      assert.equal(openai.requests.length, 2, JSON.stringify(openai.requests.map((r) => r.body.messages.at(-1)!.content)));
      assert.match(openai.requests[1].body.messages.at(-1)!.content, /^- \/ops\/0: there is no collection "stories"/m);
      assert.deepEqual(edited.spec.collections.articles.fields.pinned, { type: 'boolean' });
      assert.equal(edited.spec.tenancy, 'multi');
      assert.equal(edited.spec.roles?.superAdmin, undefined);
      assert.deepEqual(edited.spec.roles?.public.can?.articles, magazine.roles?.public.can?.articles);
      assert.equal(edited.refused.length, 3, JSON.stringify(edited.refused) + JSON.stringify(edited.notes));
      assert.ok(edited.refused.some((r) => /Kept the app multi-tenant/.test(r)));
      assert.ok(edited.refused.some((r) => /Did not add the role "superAdmin"/.test(r)));
      assert.ok(edited.refused.some((r) => /Did not let "public" update "articles"/.test(r)));
    });
  });
}

describe('OpenAI strict mode', () => {
  test('only schemas strict mode accepts are sent with strict: true', () => {
    const closed = { type: 'object', additionalProperties: false, required: ['a', 'b'], properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['c'], properties: { c: { type: 'integer' } } } } } };
    assert.equal(fitsStrictMode(closed), true);
    assert.equal(fitsStrictMode({ ...closed, required: ['a'] }), false, 'an optional property');
    assert.equal(fitsStrictMode({ ...closed, additionalProperties: undefined }), false, 'extra keys allowed');
    assert.equal(fitsStrictMode({ type: 'object', additionalProperties: { type: 'string' } }), false, 'a map');
    assert.equal(fitsStrictMode({ ...closed, properties: { ...closed.properties, b: { type: 'object', properties: { c: { type: 'string' } } } } }), false, 'a nested open object');
    assert.equal(fitsStrictMode(planAnswerJsonSchema()), false);
    assert.equal(fitsStrictMode(editAnswerJsonSchema()), false);
  });
});

