// The app the row- and field-rule suites share: roles with "own" and "published" row rules,
// hidden and read-only fields, and a union case (the writer sees what public may not).
import assert from 'node:assert/strict';
import { checkSpec } from '../../src/spec/check.ts';
import type { Spec } from '../../src/spec/schema.ts';
import type { TestApp } from '../harness.ts';

export function rulesSpec(): Spec {
  const r = checkSpec({
    kiln: 1,
    name: 'rules',
    tenancy: 'multi',
    collections: {
      authors: {
        titleField: 'name',
        fields: {
          name: { type: 'string', required: true, searchable: true },
          email: { type: 'email', searchable: true },
          bio: { type: 'text', searchable: true },
        },
      },
      articles: {
        titleField: 'title',
        fields: {
          title: { type: 'string', required: true, searchable: true },
          status: { type: 'enum', values: ['draft', 'published'], default: 'draft', required: true },
          author: { type: 'relation', to: 'authors' },
          publishedAt: { type: 'datetime' },
        },
        workflow: {
          field: 'status',
          publish: 'published',
          transitions: [
            { from: 'draft', to: 'published', roles: ['editor'] },
            { from: 'published', to: 'draft', roles: ['editor'] },
          ],
        },
      },
      notes: { fields: { text: { type: 'string', required: true, searchable: true } } },
    },
    roles: {
      public: { can: { authors: ['read'], articles: ['read'] }, where: { articles: { read: 'published' } }, fields: { authors: { hidden: ['email', 'bio'] } } },
      writer: {
        can: { authors: ['read'], articles: ['read', 'create', 'update', 'delete'], notes: ['read', 'create', 'update', 'delete'] },
        where: { articles: { update: 'own', delete: 'own' }, notes: { read: 'own', update: 'own', delete: 'own' } },
        fields: { articles: { readOnly: ['publishedAt'] } },
      },
      proofreader: { can: { articles: ['read', 'update'] }, where: { articles: { read: 'published' } } },
      editor: { can: { '*': ['read', 'create', 'update', 'delete'] } },
    },
  });
  if (!r.ok) throw new Error(`the test spec is invalid: ${JSON.stringify(r.errors)}`);
  return r.spec;
}

export async function tenant(app: Pick<TestApp, 'api'>, slug: string): Promise<void> {
  const r = await app.api('/api/tenants', { body: { slug, name: slug } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

/** An API key of a role in a tenant: its token, and the id items record as their creator. */
export async function key(app: Pick<TestApp, 'api'>, tenantSlug: string, role: string): Promise<{ token: string; id: string }> {
  const r = await app.api(`/api/t/${tenantSlug}/api-keys`, { body: { name: `${role} key`, role } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { token: r.body.data.key, id: `key:${r.body.data.id}` };
}
