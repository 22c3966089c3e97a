// Unit tests of diffSpecs: every kind of change between two specs, and how each is classified
// (safe / backfill / breaking). Specs are built through checkSpec so every one is a valid spec.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import { diffSpecs, worstClass, type SpecChange } from '../../src/spec/diff.ts';
import { exampleSpec } from '../harness.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE: Json = {
  kiln: 1,
  name: 'shop',
  tenancy: 'multi',
  collections: {
    authors: { fields: { name: { type: 'string', required: true, max: 100 } } },
    tags: { fields: { name: { type: 'string' } } },
    posts: {
      label: 'Posts',
      fields: {
        title: { type: 'string', required: true, min: 1, max: 200 },
        body: { type: 'string' },
        note: { type: 'text' },
        count: { type: 'integer', min: 0, max: 10 },
        score: { type: 'number' },
        price: { type: 'decimal', precision: 10, scale: 2, min: '0', max: '1000' },
        status: { type: 'enum', values: ['draft', 'review', 'published'] },
        email: { type: 'email', unique: true },
        day: { type: 'date', min: '2020-01-01' },
        author: { type: 'relation', to: 'authors' },
        tags: { type: 'relation', to: 'tags', many: true },
      },
    },
  },
  roles: {
    writer: { description: 'Writes.', can: { posts: ['read', 'create'], tags: ['read'] } },
    reader: { can: { posts: ['read'] } },
  },
};

function valid(input: Json): Spec {
  const r = checkSpec(input);
  if (!r.ok) throw new Error(`test spec is invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

/** The changes from BASE to BASE as edited by `edit`. */
function diff(edit: (s: Json) => void): SpecChange[] {
  const after = structuredClone(BASE);
  edit(after);
  return diffSpecs(valid(BASE), valid(after));
}

/** The only change of the diff (asserting there is exactly one). */
function single(edit: (s: Json) => void): SpecChange {
  const changes = diff(edit);
  assert.equal(changes.length, 1, `expected exactly one change, got ${JSON.stringify(changes, null, 2)}`);
  return changes[0];
}

const kinds = (changes: SpecChange[]) => changes.map((c) => c.kind).sort();
const posts = (s: Json): Json => s.collections.posts.fields;

describe('diffSpecs', () => {
  it('finds no change between a spec and itself (and the verdict is safe)', () => {
    assert.deepEqual(diffSpecs(valid(BASE), valid(structuredClone(BASE))), []);
    const m = exampleSpec('magazine');
    assert.deepEqual(diffSpecs(m, exampleSpec('magazine')), []);
    assert.equal(worstClass([]), 'safe');
  });

  describe('collections', () => {
    it('an added collection is safe', () => {
      const c = single((s) => (s.collections.notes = { fields: { text: { type: 'text' } } }));
      assert.equal(c.kind, 'collection.added');
      assert.equal(c.class, 'safe');
      assert.equal((c as { collection: string }).collection, 'notes');
      assert.ok(c.reason.length > 0);
    });

    it('a removed collection is breaking (with the fields that pointed at it)', () => {
      const changes = diff((s) => {
        delete s.collections.tags;
        delete posts(s).tags;
        s.roles.writer.can = { posts: ['read', 'create'] };
      });
      const removed = changes.find((c) => c.kind === 'collection.removed');
      assert.ok(removed, JSON.stringify(changes));
      assert.equal(removed.class, 'breaking');
      assert.equal((removed as { collection: string }).collection, 'tags');
      assert.equal(worstClass(changes), 'breaking');
    });

    it('a renamed collection (renamedFrom) is breaking but keeps its data: no remove, no add', () => {
      const changes = diff((s) => {
        s.collections.labels = { ...s.collections.tags, renamedFrom: 'tags' };
        delete s.collections.tags;
        posts(s).tags.to = 'labels';
        s.roles.writer.can = { posts: ['read', 'create'], labels: ['read'] };
      });
      const renamed = changes.filter((c) => c.kind === 'collection.renamed');
      assert.equal(renamed.length, 1, JSON.stringify(changes));
      assert.deepEqual({ from: (renamed[0] as { from: string }).from, to: (renamed[0] as { collection: string }).collection }, { from: 'tags', to: 'labels' });
      assert.equal(renamed[0].class, 'breaking');
      assert.match(renamed[0].reason, /keeps every item/i);
      // No data-losing change: the relation that follows the rename is not a target change.
      assert.ok(!changes.some((c) => c.kind === 'collection.removed' || c.kind === 'collection.added'), JSON.stringify(changes));
      assert.ok(!changes.some((c) => c.kind === 'relation.changed'), `a relation that follows a renamed collection must not count as a target change: ${JSON.stringify(changes)}`);
      assert.ok(!changes.some((c) => c.kind === 'field.removed'), JSON.stringify(changes));
    });

    it('collection presentation options are safe', () => {
      const c = single((s) => (s.collections.posts.label = 'Blog posts'));
      assert.equal(c.kind, 'collection.changed');
      assert.equal(c.class, 'safe');
    });

    it('changing tenancy is breaking', () => {
      const c = single((s) => (s.tenancy = 'single'));
      assert.equal(c.kind, 'tenancy.changed');
      assert.equal(c.class, 'breaking');
    });
  });

  describe('fields added and removed', () => {
    it('an optional field is safe', () => {
      const c = single((s) => (posts(s).subtitle = { type: 'string' }));
      assert.deepEqual([c.kind, c.class, (c as { field: string }).field], ['field.added', 'safe', 'subtitle']);
    });

    it('a required field with a default is backfill (existing items get the default)', () => {
      const c = single((s) => (posts(s).rating = { type: 'integer', required: true, default: 3 }));
      assert.deepEqual([c.kind, c.class], ['field.added', 'backfill']);
      assert.match(c.reason, /default/);
    });

    it('a required field without a default is backfill and asks for --backfill', () => {
      const c = single((s) => (posts(s).rating = { type: 'integer', required: true }));
      assert.deepEqual([c.kind, c.class], ['field.added', 'backfill']);
      assert.match(c.reason, /--backfill posts\.rating=/);
    });

    it('a required many-relation is safe to add (an empty list needs no value)', () => {
      const c = single((s) => (posts(s).related = { type: 'relation', to: 'posts', many: true, required: true }));
      assert.deepEqual([c.kind, c.class], ['field.added', 'safe']);
    });

    it('a removed field is breaking', () => {
      const c = single((s) => delete posts(s).note);
      assert.deepEqual([c.kind, c.class, (c as { field: string }).field], ['field.removed', 'breaking', 'note']);
    });

    it('a renamed field (renamedFrom) is one field.renamed change, breaking for clients, without remove or add', () => {
      const c = single((s) => {
        posts(s).content = { ...posts(s).body, renamedFrom: 'body' };
        delete posts(s).body;
      });
      assert.equal(c.kind, 'field.renamed');
      assert.deepEqual([(c as { from: string }).from, (c as { field: string }).field], ['body', 'content']);
      assert.equal(c.class, 'breaking');
      assert.match(c.reason, /keeps every value/i);
    });

    it('a renamed field that also changes an option reports both', () => {
      const changes = diff((s) => {
        posts(s).headline = { ...posts(s).title, max: 300, renamedFrom: 'title' };
        delete posts(s).title;
      });
      assert.deepEqual(kinds(changes), ['field.option', 'field.renamed']);
      const opt = changes.find((c) => c.kind === 'field.option') as SpecChange & { option: string; field: string };
      assert.deepEqual([opt.field, opt.option, opt.class], ['headline', 'max', 'safe']);
    });

    it('a rename is never guessed: without renamedFrom a drop and an add of the same shape are removed + added', () => {
      const changes = diff((s) => {
        posts(s).content = { ...posts(s).body };
        delete posts(s).body;
      });
      assert.deepEqual(kinds(changes), ['field.added', 'field.removed']);
      assert.ok(!changes.some((c) => c.kind === 'field.renamed'));
      assert.equal(worstClass(changes), 'breaking');

      const cols = diff((s) => {
        s.collections.labels = structuredClone(s.collections.tags);
        delete s.collections.tags;
        posts(s).tags.to = 'labels';
        s.roles.writer.can = { posts: ['read', 'create'], labels: ['read'] };
      });
      assert.ok(cols.some((c) => c.kind === 'collection.removed' && c.collection === 'tags'), JSON.stringify(cols));
      assert.ok(cols.some((c) => c.kind === 'collection.added' && c.collection === 'labels'), JSON.stringify(cols));
      assert.ok(!cols.some((c) => c.kind === 'collection.renamed'));
      // posts.tags now points at a different collection: its links are dropped.
      const rel = cols.find((c) => c.kind === 'relation.changed');
      assert.ok(rel && rel.class === 'breaking', JSON.stringify(cols));
    });

    it('renamedFrom naming a field the old spec does not have is an add, not a rename', () => {
      const c = single((s) => (posts(s).content = { type: 'string', renamedFrom: 'nosuchfield' }));
      assert.deepEqual([c.kind, c.class], ['field.added', 'safe']);
    });

    it('renamedFrom naming a field that still exists in the new spec is an add, not a rename', () => {
      const c = single((s) => (posts(s).copy = { type: 'string', renamedFrom: 'body' }));
      assert.equal(c.kind, 'field.added');
    });
  });

  describe('field types', () => {
    for (const [from, to] of [
      ['string', 'text'],
      ['string', 'richtext'],
      ['text', 'richtext'],
      ['integer', 'number'],
      ['email', 'string'],
      ['enum', 'string'],
    ] as const) {
      it(`${from} → ${to} widens: safe`, () => {
        const before = structuredClone(BASE);
        posts(before).x = from === 'enum' ? { type: 'enum', values: ['a'] } : { type: from };
        const after = structuredClone(before);
        posts(after).x = { type: to };
        const changes = diffSpecs(valid(before), valid(after));
        assert.equal(changes.length, 1, JSON.stringify(changes));
        assert.deepEqual([changes[0].kind, changes[0].class], ['field.type', 'safe']);
        assert.deepEqual([(changes[0] as { before: string }).before, (changes[0] as { after: string }).after], [from, to]);
      });
    }

    for (const [from, to] of [
      ['text', 'string'],
      ['number', 'integer'],
      ['string', 'integer'],
      ['integer', 'string'],
      ['string', 'email'],
      ['date', 'datetime'],
      ['boolean', 'integer'],
    ] as const) {
      it(`${from} → ${to} narrows or converts: breaking`, () => {
        const before = structuredClone(BASE);
        posts(before).x = { type: from };
        const after = structuredClone(before);
        posts(after).x = { type: to };
        const changes = diffSpecs(valid(before), valid(after));
        assert.equal(changes.length, 1, JSON.stringify(changes));
        assert.deepEqual([changes[0].kind, changes[0].class], ['field.type', 'breaking']);
      });
    }

    it('a type change also changing options reports only the type change (options follow the new type)', () => {
      const c = single((s) => (posts(s).count = { type: 'number', min: 0, max: 10 }));
      assert.deepEqual([c.kind, c.class], ['field.type', 'safe']);
    });
  });

  describe('field options', () => {
    it('required on is backfill; required off is safe', () => {
      const on = single((s) => (posts(s).body.required = true));
      assert.deepEqual([on.kind, (on as { option: string }).option, on.class], ['field.option', 'required', 'backfill']);
      const off = single((s) => delete posts(s).title.required);
      assert.deepEqual([off.kind, (off as { option: string }).option, off.class], ['field.option', 'required', 'safe']);
      const offFalse = single((s) => (posts(s).title.required = false));
      assert.equal(offFalse.class, 'safe');
    });

    it('unique on is breaking; unique off is safe', () => {
      const on = single((s) => (posts(s).body.unique = true));
      assert.deepEqual([(on as { option: string }).option, on.class], ['unique', 'breaking']);
      const off = single((s) => delete posts(s).email.unique);
      assert.deepEqual([(off as { option: string }).option, off.class], ['unique', 'safe']);
    });

    it('max: widening or lifting is safe; narrowing or adding is breaking', () => {
      assert.equal(single((s) => (posts(s).count.max = 20)).class, 'safe');
      assert.equal(single((s) => delete posts(s).count.max).class, 'safe');
      assert.equal(single((s) => (posts(s).count.max = 5)).class, 'breaking');
      assert.equal(single((s) => (posts(s).body.max = 50)).class, 'breaking');
      assert.equal(single((s) => (posts(s).title.max = 500)).class, 'safe');
      assert.equal(single((s) => (posts(s).title.max = 100)).class, 'breaking');
    });

    it('min: lowering or lifting is safe; raising or adding is breaking', () => {
      assert.equal(single((s) => (posts(s).count.min = -5)).class, 'safe');
      assert.equal(single((s) => delete posts(s).count.min).class, 'safe');
      assert.equal(single((s) => (posts(s).count.min = 1)).class, 'breaking');
      assert.equal(single((s) => (posts(s).score.min = 0)).class, 'breaking');
      assert.equal(single((s) => (posts(s).title.min = 0)).class, 'safe');
      assert.equal(single((s) => (posts(s).title.min = 2)).class, 'breaking');
    });

    it('min/max on decimals compare as numbers, not strings', () => {
      // As strings "999" > "1000", so a string comparison would call this a narrowing.
      assert.equal(single((s) => (posts(s).price.max = '999')).class, 'breaking');
      assert.equal(single((s) => (posts(s).price.max = '10000')).class, 'safe');
      assert.equal(single((s) => (posts(s).price.min = '-1')).class, 'safe');
      assert.equal(single((s) => (posts(s).price.min = '0.5')).class, 'breaking');
    });

    it('min/max on dates: an earlier min widens, a later min narrows', () => {
      assert.equal(single((s) => (posts(s).day.min = '2019-06-01')).class, 'safe');
      assert.equal(single((s) => (posts(s).day.min = '2021-01-01')).class, 'breaking');
    });

    it('enum: adding values is safe; removing any value is breaking and names it', () => {
      const add = single((s) => posts(s).status.values.push('archived'));
      assert.deepEqual([(add as { option: string }).option, add.class], ['values', 'safe']);
      const remove = single((s) => (posts(s).status.values = ['draft', 'published', 'archived']));
      assert.deepEqual([(remove as { option: string }).option, remove.class], ['values', 'breaking']);
      assert.match(remove.reason, /review/);
      // Reordering only is not a removal.
      assert.equal(single((s) => (posts(s).status.values = ['published', 'draft', 'review'])).class, 'safe');
    });

    it('enum: becoming multiple (or single) is breaking', () => {
      assert.equal(single((s) => (posts(s).status.multiple = true)).class, 'breaking');
    });

    it('decimal precision and scale: widening is safe, anything that may not fit is breaking', () => {
      assert.equal(single((s) => (posts(s).price.precision = 12)).class, 'safe');
      assert.equal(single((s) => (posts(s).price.precision = 8)).class, 'breaking');
      // more decimals with as many integer digits: safe
      const both = diff((s) => Object.assign(posts(s).price, { precision: 11, scale: 3 }));
      assert.deepEqual(kinds(both), ['field.option', 'field.option']);
      assert.ok(both.every((c) => c.class === 'safe'), JSON.stringify(both));
      // more decimals at the same precision loses an integer digit: breaking
      assert.equal(single((s) => (posts(s).price.scale = 3)).class, 'breaking');
      // fewer decimals: breaking
      assert.equal(single((s) => (posts(s).price.scale = 1)).class, 'breaking');
    });

    it('presentation options and defaults are safe', () => {
      assert.equal(single((s) => (posts(s).body.label = 'Body')).class, 'safe');
      assert.equal(single((s) => (posts(s).body.default = 'x')).class, 'safe');
      assert.equal(single((s) => (posts(s).body.searchable = true)).class, 'safe');
      assert.equal(single((s) => (posts(s).body.index = true)).class, 'safe');
    });
  });

  describe('relations', () => {
    it('pointing at another collection is breaking (its links are dropped)', () => {
      const c = single((s) => (posts(s).author.to = 'tags'));
      assert.equal(c.kind, 'relation.changed');
      assert.equal(c.class, 'breaking');
      assert.deepEqual((c as { before: unknown }).before, { to: 'authors', many: false });
      assert.deepEqual((c as { after: unknown }).after, { to: 'tags', many: false });
      assert.match(c.reason, /dropped/);
    });

    it('to-one → many is breaking for clients but keeps each link', () => {
      const c = single((s) => (posts(s).author.many = true));
      assert.equal(c.kind, 'relation.changed');
      assert.equal(c.class, 'breaking');
      assert.deepEqual((c as { after: unknown }).after, { to: 'authors', many: true });
      assert.match(c.reason, /kept/);
    });

    it('many → to-one is breaking', () => {
      const c = single((s) => delete posts(s).tags.many);
      assert.equal(c.kind, 'relation.changed');
      assert.equal(c.class, 'breaking');
      assert.deepEqual((c as { before: unknown }).before, { to: 'tags', many: true });
      assert.deepEqual((c as { after: unknown }).after, { to: 'tags', many: false });
    });
  });

  describe('roles', () => {
    it('an added role is safe', () => {
      const c = single((s) => (s.roles.editor = { can: { '*': ['read', 'create', 'update', 'delete'] } }));
      assert.deepEqual([c.kind, c.class, (c as { role: string }).role], ['role.added', 'safe', 'editor']);
    });

    it('a removed role is breaking', () => {
      const c = single((s) => delete s.roles.reader);
      assert.deepEqual([c.kind, c.class, (c as { role: string }).role], ['role.removed', 'breaking', 'reader']);
    });

    it('a role that loses an action is breaking', () => {
      const c = single((s) => (s.roles.writer.can.posts = ['read']));
      assert.deepEqual([c.kind, c.class], ['role.changed', 'breaking']);
      const lostCollection = single((s) => delete s.roles.writer.can.tags);
      assert.deepEqual([lostCollection.kind, lostCollection.class], ['role.changed', 'breaking']);
    });

    it('a role that only gains access, or changes its description, is safe', () => {
      const gains = single((s) => (s.roles.reader.can.tags = ['read']));
      assert.deepEqual([gains.kind, gains.class], ['role.changed', 'safe']);
      const more = single((s) => s.roles.writer.can.posts.push('update'));
      assert.equal(more.class, 'safe');
      const desc = single((s) => (s.roles.writer.description = 'Writes posts.'));
      assert.equal(desc.class, 'safe');
    });
  });

  describe('the verdict', () => {
    it('is the worst class of the changes', () => {
      const safeAndBackfill = diff((s) => {
        posts(s).subtitle = { type: 'string' };
        posts(s).rating = { type: 'integer', required: true, default: 1 };
      });
      assert.equal(worstClass(safeAndBackfill), 'backfill');
      const withBreaking = diff((s) => {
        posts(s).subtitle = { type: 'string' };
        posts(s).rating = { type: 'integer', required: true, default: 1 };
        delete posts(s).note;
      });
      assert.equal(worstClass(withBreaking), 'breaking');
    });
  });
});
