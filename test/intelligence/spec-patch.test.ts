// Typed spec patches: each operation on a copy of the spec, renames that keep data (renamedFrom, so
// the migration renames instead of dropping), references that follow a rename, problems named by
// operation, and the result checked by checkSpec.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, specPatchJsonSchema, specPatchSchema, type PatchOp } from '../../src/intelligence/builder/spec-patch.ts';
import { diffSpecs } from '../../src/spec/diff.ts';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { exampleSpec } from '../harness.ts';

const apply = (spec: Spec, ...ops: PatchOp[]) => applyPatch(spec, { ops });
function ok(spec: Spec, ...ops: PatchOp[]): Spec {
  const r = apply(spec, ...ops);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.spec;
}
const kinds = (before: Spec, after: Spec) => diffSpecs(before, after).map((c) => `${c.kind}${'field' in c ? ` ${c.collection}.${c.field}` : 'collection' in c ? ` ${c.collection}` : ''}`);

describe('spec patches', () => {
  it('never changes the spec it is given', () => {
    const spec = exampleSpec('magazine');
    const copy = structuredClone(spec);
    ok(spec, { op: 'addField', collection: 'articles', field: 'rating', definition: { type: 'integer', min: 1, max: 5 } }, { op: 'renameField', collection: 'articles', field: 'title', to: 'headline' }, { op: 'removeField', collection: 'articles', field: 'category' }, { op: 'removeCollection', collection: 'categories' });
    assert.deepEqual(spec, copy);
  });

  it('adds a field and a collection, which the diff sees as safe additions', () => {
    const blog = exampleSpec('blog');
    const next = ok(
      blog,
      { op: 'addCollection', collection: 'events', definition: { titleField: 'title', fields: { title: { type: 'string', required: true } } } },
      { op: 'addField', collection: 'posts', field: 'event', definition: { type: 'relation', to: 'events' } },
      { op: 'grant', role: 'public', collection: 'events', actions: ['read'] },
    );
    assert.deepEqual(kinds(blog, next).sort(), ['collection.added events', 'field.added posts.event', 'role.changed']);
    assert.ok(diffSpecs(blog, next).every((c) => c.class === 'safe'));
    assert.deepEqual(next.roles!.public.can!.events, ['read']);
  });

  it('renames a field with renamedFrom, and its references follow', () => {
    const mag = exampleSpec('magazine');
    const next = ok(mag, { op: 'renameField', collection: 'articles', field: 'title', to: 'headline' }, { op: 'renameField', collection: 'articles', field: 'status', to: 'state' });
    const a = next.collections.articles;
    assert.equal(a.fields.headline.renamedFrom, 'title');
    assert.equal(a.titleField, 'headline');
    assert.deepEqual(a.fields.slug, { type: 'slug', from: 'headline', required: true, unique: true });
    assert.equal(a.workflow!.field, 'state');
    assert.deepEqual(Object.keys(a.fields).slice(0, 2), ['headline', 'slug'], 'the field keeps its place');
    assert.deepEqual(kinds(mag, next).filter((k) => k.startsWith('field.')), ['field.renamed articles.headline', 'field.option articles.slug', 'field.renamed articles.state']);
    assert.ok(!kinds(mag, next).some((k) => k.startsWith('field.removed') || k.startsWith('field.added')), 'no value is dropped');
  });

  it('keeps the stored name through two renames in one patch, and drops renamedFrom when renamed back', () => {
    const blog = exampleSpec('blog');
    const twice = ok(blog, { op: 'renameField', collection: 'posts', field: 'body', to: 'content' }, { op: 'renameField', collection: 'posts', field: 'content', to: 'text' });
    assert.equal(twice.collections.posts.fields.text.renamedFrom, 'body');
    const back = ok(blog, { op: 'renameField', collection: 'posts', field: 'body', to: 'content' }, { op: 'renameField', collection: 'posts', field: 'content', to: 'body' });
    assert.equal(back.collections.posts.fields.body.renamedFrom, undefined);
    assert.deepEqual(diffSpecs(blog, back), []);
  });

  it('renames a collection: relations and grants follow, and the diff keeps the items', () => {
    const mag = exampleSpec('magazine');
    const next = ok(mag, { op: 'renameCollection', collection: 'tags', to: 'topics' });
    assert.equal(next.collections.topics.renamedFrom, 'tags');
    assert.equal((next.collections.articles.fields.tags as { to: string }).to, 'topics');
    assert.deepEqual(next.roles!.writer.can!.topics, ['read', 'create']);
    assert.equal(next.roles!.writer.can!.tags, undefined);
    assert.deepEqual(kinds(mag, next).filter((k) => k.startsWith('collection')), ['collection.renamed topics']);
  });

  it('removes a field and what pointed at it: title field, sort, slug source and AI actions', () => {
    const mag = exampleSpec('magazine');
    const next = ok(mag, { op: 'removeField', collection: 'articles', field: 'summary' }, { op: 'removeField', collection: 'articles', field: 'publishedAt' }, { op: 'removeField', collection: 'articles', field: 'title' });
    const a = next.collections.articles;
    assert.equal(a.titleField, undefined);
    assert.equal(a.defaultSort, undefined);
    assert.equal((a.fields.slug as { from?: string }).from, undefined);
    if (mag.collections.articles.ai?.actions.summarize) {
      assert.equal(a.ai?.actions.summarize, undefined, 'the summary had nowhere to go');
      assert.ok(!a.ai?.actions.translate?.fields.includes('summary'));
    }
    assert.ok(checkSpec(next).ok);
  });

  it('names the operation at fault, and applies nothing then', () => {
    const mag = exampleSpec('magazine');
    const r = apply(
      mag,
      { op: 'addField', collection: 'articles', field: 'rating', definition: { type: 'integer' } },
      { op: 'removeField', collection: 'articles', field: 'status' },
      { op: 'renameField', collection: 'articles', field: 'nope', to: 'x' },
      { op: 'removeCollection', collection: 'authors' },
      { op: 'grant', role: 'nobody', collection: 'articles', actions: ['read'] },
    );
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.op), [1, 2, 3, 4]);
    assert.match(r.problems[0].message, /holds the workflow state/);
    assert.match(r.problems[1].message, /"articles" has no field "nope"/);
    assert.match(r.problems[2].message, /"articles\.author" points at "authors"/);
    assert.match(r.problems[3].message, /no role "nobody"/);
  });

  it('checks the patched spec as a whole (op -1 with the JSON path)', () => {
    const r = apply(exampleSpec('blog'), { op: 'addField', collection: 'posts', field: 'venue', definition: { type: 'relation', to: 'venues' } });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.op), [-1]);
    assert.match(r.problems[0].message, /^\/collections\/posts\/fields\/venue\/to: relation "posts\.venue" points at "venues"/);
  });

  it('edits roles, workflow, tenancy and auth', () => {
    const blog = exampleSpec('blog');
    const next = ok(
      blog,
      { op: 'addRole', role: 'moderator', definition: { description: 'Moderates comments.' } },
      { op: 'grant', role: 'moderator', collection: 'comments', actions: ['read', 'update'] },
      { op: 'revoke', role: 'public', collection: 'comments', actions: ['read'] },
      { op: 'addField', collection: 'comments', field: 'state', definition: { type: 'enum', values: ['pending', 'published'], default: 'pending', required: true } },
      { op: 'setWorkflow', collection: 'comments', workflow: { field: 'state', publish: 'published', transitions: [{ from: 'pending', to: 'published', roles: ['moderator'] }] } },
      { op: 'setTenancy', tenancy: 'multi' },
      { op: 'addSignInMethod', method: 'passkey' },
      { op: 'addIdentityProvider', id: 'github', type: 'github' },
      { op: 'setMfa', policy: 'required', roles: ['moderator'] },
      { op: 'setTitleField', collection: 'comments', field: 'authorName' },
      { op: 'setCollection', collection: 'comments', defaultSort: '-createdAt', label: 'Comments' },
    );
    assert.deepEqual(next.roles!.public.can, { posts: ['read'] });
    assert.equal(next.collections.comments.workflow!.publish, 'published');
    assert.equal(next.tenancy, 'multi');
    assert.deepEqual(next.auth, { methods: ['passkey'], providers: [{ id: 'github', type: 'github' }], mfa: { policy: 'required', roles: ['moderator'] } });
    const gone = ok(next, { op: 'setWorkflow', collection: 'comments', workflow: null }, { op: 'removeRole', role: 'moderator' });
    assert.equal(gone.roles!.moderator, undefined);
    assert.deepEqual(gone.auth!.mfa, { policy: 'required', roles: [] });
    const stuck = apply(next, { op: 'removeRole', role: 'moderator' });
    assert.ok(!stuck.ok);
    assert.match(stuck.problems[0].message, /only "moderator" may move "comments" items to "published"/);
  });

  it('is a zod schema that refuses unknown operations and exports as JSON Schema', () => {
    assert.ok(!specPatchSchema.safeParse({ ops: [{ op: 'runSql', sql: 'drop table x' }] }).success);
    assert.ok(!specPatchSchema.safeParse({ ops: [{ op: 'addField', collection: 'a', field: 'b', definition: { type: 'code' } }] }).success);
    assert.ok(specPatchSchema.safeParse({ ops: [{ op: 'removeField', collection: 'posts', field: 'body' }] }).success);
    const schema = specPatchJsonSchema();
    assert.equal(schema.type, 'object');
    const ops = (schema.properties as Record<string, { items: { oneOf?: unknown[]; anyOf?: unknown[] } }>).ops;
    assert.ok((ops.items.oneOf ?? ops.items.anyOf ?? []).length >= 20);
    assert.ok(JSON.stringify(schema).includes('"renameField"'));
  });
});
