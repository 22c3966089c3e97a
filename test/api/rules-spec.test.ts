// The spec checks on row and field rules: each mistake is reported at its JSON pointer with a fix.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpec } from '../../src/spec/check.ts';

const spec = (roles: unknown) => ({
  kiln: 1,
  name: 'rules',
  tenancy: 'single',
  collections: {
    notes: { fields: { text: { type: 'string' } } },
    posts: {
      fields: { title: { type: 'string' }, state: { type: 'enum', values: ['draft', 'live'], default: 'draft', required: true } },
      workflow: { field: 'state', publish: 'live', transitions: [{ from: 'draft', to: 'live', roles: ['public'] }] },
    },
  },
  roles,
});

const errors = (roles: unknown) => {
  const r = checkSpec(spec(roles));
  return r.ok ? [] : r.errors.map((e) => [e.path, e.message]);
};

describe('spec checks of row and field rules', () => {
  it('accepts the rules the admin UI and builder write', () => {
    const r = checkSpec(
      spec({
        writer: {
          can: { '*': ['read', 'create', 'update', 'delete'] },
          where: { '*': { update: 'own', delete: 'own' }, posts: { read: 'published' }, notes: { read: 'own' } },
          fields: { posts: { hidden: ['createdBy'], readOnly: ['state'] } },
        },
      }),
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  });

  it('names each mistake by its path', () => {
    assert.deepEqual(
      errors({
        writer: {
          can: { notes: ['read', 'update'], posts: ['read'] },
          where: { nope: { read: 'own' }, notes: { read: 'published', delete: 'own' } },
          fields: { nope: { hidden: ['x'] }, notes: { hidden: ['text', 'text', 'missing'], readOnly: ['createdAt'] }, posts: { readOnly: ['title'] } },
        },
      }),
      [
        ['/roles/writer/where/nope', 'role "writer" has row rules for "nope", which is not a collection'],
        ['/roles/writer/where/notes/read', '"notes" has no workflow: every saved item is already published'],
        ['/roles/writer/where/notes/delete', 'role "writer" is not granted "delete" on "notes", so this rule has no effect'],
        ['/roles/writer/fields/nope', 'role "writer" has field rules for "nope", which is not a collection'],
        ['/roles/writer/fields/notes/hidden/1', '"text" is listed twice'],
        ['/roles/writer/fields/notes/hidden/2', '"missing" is not a field of "notes"'],
        ['/roles/writer/fields/notes/readOnly/0', '"createdAt" is set by Kiln and is never writable'],
        ['/roles/writer/fields/posts/readOnly', 'role "writer" may not create or update "posts", so "readOnly" has no effect'],
      ],
    );
  });

  it('refuses an action that has no row rule', () => {
    const r = checkSpec(spec({ writer: { can: { notes: ['create'] }, where: { notes: { create: 'own' } } } }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.errors[0].path, '/roles/writer/where/notes');
  });
});
