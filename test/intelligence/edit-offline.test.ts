// The offline spec editor on the example specs: requests in plain English become typed patches that
// apply and check; names are matched loosely (singular, plural, case); what it cannot read is said,
// never guessed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { editOffline } from '../../src/intelligence/builder/edit-offline.ts';
import { applyPatch, type PatchOp } from '../../src/intelligence/builder/spec-patch.ts';
import { diffSpecs } from '../../src/spec/diff.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { exampleSpec } from '../harness.ts';

const blog = exampleSpec('blog');
const mag = exampleSpec('magazine');

function edit(spec: Spec, request: string) {
  const out = editOffline(spec, request);
  const applied = applyPatch(spec, out.patch);
  assert.ok(applied.ok, `${request}: ${JSON.stringify(!applied.ok && applied.problems)}`);
  return { ...out, ops: out.patch.ops, spec: applied.spec };
}
const notUnderstood = (assumptions: string[]) => assumptions.filter((a) => /^Not (?:understood|applied)/.test(a));

describe('offline spec editor', () => {
  it('adds typed fields, inferred from the words', () => {
    const cases: [Spec, string, PatchOp[]][] = [
      [blog, 'add a featured flag to posts', [{ op: 'addField', collection: 'posts', field: 'featured', definition: { type: 'boolean', default: false } }]],
      [blog, 'Add a rating from 1 to 5 to the Post collection', [{ op: 'addField', collection: 'posts', field: 'rating', definition: { type: 'integer', min: 1, max: 5 } }]],
      [mag, 'add a subtitle and an expiry date to each article', [
        { op: 'addField', collection: 'articles', field: 'subtitle', definition: { type: 'string', max: 200 } },
        { op: 'addField', collection: 'articles', field: 'expiryDate', definition: { type: 'date' } },
      ]],
      [blog, 'add a kind: review, opinion or news to posts', [
        { op: 'addField', collection: 'posts', field: 'kind', definition: { type: 'enum', values: ['review', 'opinion', 'news'], default: 'review', required: true, index: true } },
      ]],
      [blog, 'give comments a rating out of 10', [{ op: 'addField', collection: 'comments', field: 'rating', definition: { type: 'integer', min: 0, max: 10 } }]],
      [mag, 'authors need a twitter url', [{ op: 'addField', collection: 'authors', field: 'twitterUrl', definition: { type: 'url' } }]],
    ];
    for (const [spec, request, ops] of cases) {
      const r = edit(spec, request);
      assert.deepEqual(r.ops, ops, request);
      assert.deepEqual(notUnderstood(r.assumptions), [], request);
      assert.ok(r.understood.length > 0, request);
    }
  });

  it('adds a price and a stock count to products, with a decimal price', () => {
    const shop: Spec = { kiln: 1, name: 'shop', tenancy: 'single', collections: { products: { fields: { name: { type: 'string', required: true } } } } };
    const r = edit(shop, 'add a price and a stock count to products');
    assert.deepEqual(r.spec.collections.products.fields.price, { type: 'decimal', precision: 12, scale: 2, min: 0 });
    assert.deepEqual(r.spec.collections.products.fields.stockCount, { type: 'integer', min: 0 });
    assert.ok(diffSpecs(shop, r.spec).every((c) => c.class === 'safe'));
  });

  it('reads relations and creates the target collection when it is missing', () => {
    const cat = edit(blog, 'each post belongs to a category');
    assert.deepEqual(cat.spec.collections.posts.fields.category, { type: 'relation', to: 'categories' });
    assert.deepEqual(cat.spec.collections.categories, { fields: { name: { type: 'string', required: true, max: 200 } }, titleField: 'name' });
    assert.deepEqual(cat.spec.roles!.public.can!.categories, ['read'], 'readers read it like every other collection');
    assert.ok(cat.assumptions.some((a) => /no collection "categories"; it is created/.test(a)));

    const tags = edit(blog, 'Posts can have many tags');
    assert.deepEqual(tags.spec.collections.posts.fields.tags, { type: 'relation', to: 'tags', many: true });
    assert.ok(tags.spec.collections.tags);

    const existing = edit(mag, 'articles can have many tags');
    assert.deepEqual(existing.ops, []);
    assert.match(existing.understood.join(), /articles\.tags already links to tags/);

    const two = edit(blog, 'posts are written by authors and tagged with topics');
    assert.deepEqual(two.spec.collections.posts.fields.author, { type: 'relation', to: 'authors' });
    assert.deepEqual(two.spec.collections.posts.fields.topics, { type: 'relation', to: 'topics', many: true });

    const onto = edit(mag, 'add a category to tags');
    assert.deepEqual(onto.spec.collections.tags.fields.category, { type: 'relation', to: 'categories' }, 'an existing collection named in an add becomes a link');
  });

  it('adds a collection with its fields', () => {
    const r = edit(blog, 'add a collection of events with a title, a start date and a location');
    assert.deepEqual(r.spec.collections.events, {
      fields: { title: { type: 'string', max: 200 }, startDate: { type: 'date' }, location: { type: 'string', max: 300 } },
      titleField: 'title',
    });
    assert.deepEqual(diffSpecs(blog, r.spec).map((c) => c.kind).sort(), ['collection.added', 'role.changed']);
    const linked = edit(mag, 'create an Events collection with a name, a date and time, and many tags');
    assert.deepEqual(linked.spec.collections.events.fields, { name: { type: 'string', max: 200 }, dateAndTime: { type: 'datetime' }, tags: { type: 'relation', to: 'tags', many: true } });
  });

  it('renames fields and collections so the data is kept', () => {
    for (const request of ['rename summary to excerpt in articles', 'rename the summary of articles to excerpt', 'Rename Article summary to excerpt']) {
      const r = edit(mag, request);
      assert.deepEqual(r.ops, [{ op: 'renameField', collection: 'articles', field: 'summary', to: 'excerpt' }], request);
      assert.deepEqual(diffSpecs(mag, r.spec).filter((c) => c.kind.startsWith('field.')).map((c) => c.kind), ['field.renamed']);
    }
    assert.deepEqual(edit(blog, 'rename posts to stories').ops, [{ op: 'renameCollection', collection: 'posts', to: 'stories' }]);
  });

  it('removes fields, and a collection together with the links to it', () => {
    assert.deepEqual(edit(mag, 'remove the summary from articles').ops, [{ op: 'removeField', collection: 'articles', field: 'summary' }]);
    const missing = editOffline(mag, 'remove the subtitle from articles');
    assert.deepEqual(missing.patch.ops, []);
    assert.match(notUnderstood(missing.assumptions).join(), /"articles" has no field "subtitle"/);
    const tags = edit(mag, 'delete the tags collection');
    assert.deepEqual(tags.ops, [{ op: 'removeField', collection: 'articles', field: 'tags' }, { op: 'removeCollection', collection: 'tags' }]);
  });

  it('changes field options and types, finding the field loosely', () => {
    const req = edit(mag, 'make the bio of authors required');
    assert.deepEqual(req.ops, [{ op: 'changeField', collection: 'authors', field: 'bio', definition: { type: 'text', max: 5000, required: true } }]);
    assert.equal(edit(blog, 'make the title required').ops.length, 0, 'it already is');
    const uniq = edit(blog, "the comments' author email should be unique");
    assert.deepEqual(uniq.ops, [{ op: 'changeField', collection: 'comments', field: 'authorEmail', definition: { type: 'email', unique: true } }]);
    const type = edit(mag, 'make the price of articles an integer');
    assert.deepEqual(type.ops, [{ op: 'changeField', collection: 'articles', field: 'price', definition: { type: 'integer', min: 0 } }]);
    const rich = edit(blog, 'change text in comments to rich text');
    assert.equal(rich.spec.collections.comments.fields.text.type, 'richtext');
    const ambiguous = editOffline(mag, 'make the name required');
    assert.match(notUnderstood(ambiguous.assumptions).join(), /authors\.name, categories\.name, tags\.name all match "name"/);
    const it_ = edit(blog, 'add a published date to posts, then make it required');
    assert.equal(it_.spec.collections.posts.fields.publishedDate.required, true);
  });

  it('adds a review workflow with a reviewer role', () => {
    const r = edit(blog, 'editors must review posts before publishing');
    const posts = r.spec.collections.posts;
    assert.deepEqual(posts.fields.status, { type: 'enum', values: ['draft', 'in_review', 'published'], default: 'draft', required: true, index: true });
    assert.equal(posts.workflow!.publish, 'published');
    assert.deepEqual(posts.workflow!.transitions.find((t) => t.to === 'published')!.roles, ['editor']);
    assert.deepEqual(r.spec.roles!.editor.can!.posts, ['read', 'create', 'update']);
    assert.ok(r.assumptions.some((a) => /start as "draft"/.test(a)));
    const mod = edit(blog, 'comments must be approved by moderators before they appear');
    assert.ok(mod.spec.roles!.moderator);
    assert.equal(mod.spec.collections.comments.workflow!.field, 'status');
    assert.match(edit(mag, 'editors review articles before publishing').understood.join(), /already has a workflow/);
  });

  it('reads tenancy, sign-in, MFA and roles', () => {
    assert.deepEqual(edit(blog, 'make it multi-tenant').ops, [{ op: 'setTenancy', tenancy: 'multi' }]);
    assert.deepEqual(edit(blog, 'each agency has its own posts').ops, [{ op: 'setTenancy', tenancy: 'multi' }]);
    assert.deepEqual(edit(blog, 'allow sign-in with Google').ops, [{ op: 'addIdentityProvider', id: 'google', type: 'google' }]);
    assert.deepEqual(edit(blog, 'let people sign in with a magic link or GitHub').ops, [{ op: 'addIdentityProvider', id: 'github', type: 'github' }, { op: 'addSignInMethod', method: 'magicLink' }]);
    assert.deepEqual(edit(blog, 'require two-factor authentication').ops, [{ op: 'setMfa', policy: 'required' }]);
    assert.deepEqual(edit(blog, 'add a moderator role who can update and delete comments').ops, [
      { op: 'addRole', role: 'moderator', definition: {} },
      { op: 'grant', role: 'moderator', collection: 'comments', actions: ['update', 'delete'] },
    ]);
    assert.deepEqual(edit(mag, 'writers cannot create tags').ops, [{ op: 'revoke', role: 'writer', collection: 'tags', actions: ['create'] }]);
    assert.deepEqual(edit(mag, 'sort authors by newest first').ops, [{ op: 'setCollection', collection: 'authors', defaultSort: '-createdAt' }]);
  });

  it('reads several clauses, each against the spec the ones before left', () => {
    const r = edit(blog, 'Add a collection of venues with a name and an address. Each post belongs to a venue; also make the address of venues required.');
    assert.deepEqual(r.spec.collections.posts.fields.venue, { type: 'relation', to: 'venues' });
    assert.equal(r.spec.collections.venues.fields.address.required, true);
    assert.deepEqual(notUnderstood(r.assumptions), []);
  });

  it('says what it did not understand and guesses nothing', () => {
    for (const request of ['paint it blue', 'make it faster', 'add a price to products', 'add a subtitle']) {
      const r = editOffline(blog, request);
      assert.deepEqual(r.patch.ops, [], request);
      assert.equal(notUnderstood(r.assumptions).length, 1, `${request}: ${r.assumptions}`);
    }
    assert.match(editOffline(blog, 'add a price to products').assumptions[0], /no collection "products"/);
    assert.match(editOffline(blog, 'add a subtitle').assumptions[0], /say which collection/);
    const partial = editOffline(blog, 'add a featured flag to posts; teleport the comments');
    assert.equal(partial.patch.ops.length, 1);
    assert.match(notUnderstood(partial.assumptions).join(), /teleport the comments/);
  });
});
