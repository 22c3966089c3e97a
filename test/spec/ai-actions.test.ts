// `ai.actions` of a collection: the defaults the runtime applies, and the checks that name the JSON
// path and the fix when an action points at a field that is missing or of the wrong kind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkSpec } from '../../src/spec/check.ts';
import { aiActionsOf } from '../../src/spec/ai-actions.ts';
import type { Spec } from '../../src/spec/schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const magazine = (): Json => JSON.parse(readFileSync(new URL('../../examples/magazine/kiln.json', import.meta.url), 'utf8'));
const P = '/collections/articles/ai/actions';

function withActions(actions: Json, edit?: (s: Json) => void): Json {
  const s = magazine();
  s.collections.articles.ai = { actions };
  edit?.(s);
  return s;
}

function errorsOf(spec: Json): { path: string; message: string; fix: string }[] {
  const r = checkSpec(spec);
  assert.equal(r.ok, false, 'the spec should be refused');
  return r.ok ? [] : r.errors;
}

function expectError(spec: Json, path: string, message: RegExp): void {
  const errors = errorsOf(spec);
  const e = errors.find((x) => x.path === path);
  assert.ok(e, `no error at ${path}: ${JSON.stringify(errors)}`);
  assert.match(e.message, message);
  assert.ok(e.fix.length > 0);
}

describe('ai.actions in the spec', () => {
  test('the magazine declares all four actions and resolves their defaults', () => {
    const r = checkSpec(magazine());
    assert.equal(r.ok, true, JSON.stringify(r));
    const a = aiActionsOf(r.ok ? r.spec : ({} as Spec), 'articles');
    assert.deepEqual(a.summarize, { from: ['body'], to: 'summary', sentences: 3, maxLength: 1000 });
    assert.deepEqual(a.seo, { title: 'seoTitle', description: 'seoDescription', titleSource: 'title', from: ['title', 'summary', 'body'], titleMax: 60, descriptionMax: 160 });
    assert.deepEqual(a.suggestTags, { field: 'tags', from: ['title', 'summary', 'body'], max: 5, relationMax: 20, tags: 'tags', matchOn: ['name', 'slug'] });
    assert.deepEqual(a.translate, { fields: ['title', 'summary', 'body'], languages: ['de', 'fr', 'es'] });
    assert.deepEqual(aiActionsOf(r.ok ? r.spec : ({} as Spec), 'authors'), {});
  });

  test('defaults: summarize writes to "summary" from the other searchable text fields', () => {
    const r = checkSpec(withActions({ summarize: {} }));
    assert.equal(r.ok, true, JSON.stringify(r));
    if (r.ok) assert.deepEqual(aiActionsOf(r.spec, 'articles').summarize, { from: ['title', 'body'], to: 'summary', sentences: 3, maxLength: 1000 });
  });

  test('refuses unknown actions and options, and out-of-range numbers', () => {
    expectError(withActions({ classify: {} }), P, /classify/);
    expectError(withActions({ summarize: { length: 3 } }), `${P}/summarize`, /length/);
    expectError(withActions({ summarize: { sentences: 11 } }), `${P}/summarize/sentences`, /./);
    expectError(withActions({ suggestTags: { field: 'tags', max: 0 } }), `${P}/suggestTags/max`, /./);
  });

  test('summarize: the target must be a text field, the sources must exist and be text', () => {
    expectError(withActions({ summarize: { to: 'abstract' } }), `${P}/summarize/to`, /"abstract" is not a field of "articles"/);
    expectError(withActions({ summarize: { to: 'views' } }), `${P}/summarize/to`, /integer field, not text/);
    expectError(withActions({ summarize: { from: ['body', 'featured'] } }), `${P}/summarize/from/1`, /boolean field/);
    expectError(withActions({ summarize: { from: ['summary'] } }), `${P}/summarize/from/0`, /both a source and the target/);
    expectError(
      withActions({ summarize: {} }, (s) => delete s.collections.articles.fields.summary),
      `${P}/summarize/to`,
      /no "summary" field/,
    );
  });

  test('seo: needs at least one target field, each a text field', () => {
    expectError(withActions({ seo: {} }), `${P}/seo`, /names no target field/);
    expectError(withActions({ seo: { title: 'price' } }), `${P}/seo/title`, /decimal field/);
    expectError(withActions({ seo: { title: 'seoTitle', description: 'seoTitle' } }), `${P}/seo/description`, /same field/);
  });

  test('suggestTags: the field must be a many-relation', () => {
    expectError(withActions({ suggestTags: { field: 'author' } }), `${P}/suggestTags/field`, /to-one relation, not a many-relation/);
    expectError(withActions({ suggestTags: { field: 'title' } }), `${P}/suggestTags/field`, /string field/);
    expectError(withActions({ suggestTags: { field: 'labels' } }), `${P}/suggestTags/field`, /not a field/);
    const errors = errorsOf(withActions({ suggestTags: { field: 'author' } }));
    assert.match(errors[0].fix, /tags/, 'the fix names the many-relations there are');
  });

  test('translate: text fields and valid, distinct BCP 47 languages', () => {
    expectError(withActions({ translate: { fields: ['title', 'featured'], languages: ['de'] } }), `${P}/translate/fields/1`, /boolean field/);
    expectError(withActions({ translate: { fields: ['title'], languages: ['de', 'not a tag'] } }), `${P}/translate/languages/1`, /BCP 47/);
    expectError(withActions({ translate: { fields: ['title'], languages: ['pt-BR', 'pt-br'] } }), `${P}/translate/languages/1`, /same language/);
    expectError(withActions({ translate: { fields: ['title'], languages: [] } }), `${P}/translate/languages`, /./);
  });

  test('the top-level "ai" section stays reserved: kept with a warning', () => {
    const s = magazine();
    s.ai = { provider: 'offline' };
    const r = checkSpec(s);
    assert.equal(r.ok, true);
    assert.deepEqual(r.warnings.map((w) => w.path), ['/ai']);
  });
});
