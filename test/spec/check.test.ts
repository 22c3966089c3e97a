// checkSpec: the examples pass, and every problem is reported at its JSON pointer with a fix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkSpec, pointer, type SpecIssue } from '../../src/spec/check.ts';

type AnySpec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/${name}/kiln.json`, import.meta.url), 'utf8'));
}

/** A small valid multi-tenant spec with one collection, "posts", to break one rule at a time. */
function base(): AnySpec {
  return {
    kiln: 1,
    name: 'app',
    tenancy: 'multi',
    collections: {
      posts: { fields: { title: { type: 'string', required: true }, body: { type: 'text' } } },
      people: { fields: { name: { type: 'string' } } },
    },
  };
}

function withField(name: string, field: unknown): AnySpec {
  const s = base();
  s.collections.posts.fields[name] = field;
  return s;
}

function errorsOf(spec: unknown): SpecIssue[] {
  const r = checkSpec(spec);
  assert.equal(r.ok, false, `expected the spec to be refused: ${JSON.stringify(spec)}`);
  if (r.ok) throw new Error('unreachable');
  for (const e of r.errors) {
    assert.match(e.path, /^\//, `every path is a JSON pointer: ${JSON.stringify(e)}`);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 0, `every error has a message: ${JSON.stringify(e)}`);
    assert.equal(typeof e.fix, 'string');
    assert.ok(e.fix.length > 0, `every error has a fix: ${JSON.stringify(e)}`);
  }
  return r.errors;
}

/** Asserts the spec is refused with exactly one error, at `path`, and returns it. */
function onlyError(spec: unknown, path: string, message?: RegExp, fix?: RegExp): SpecIssue {
  const errors = errorsOf(spec);
  assert.deepEqual(errors.map((e) => e.path), [path], `errors: ${JSON.stringify(errors, null, 2)}`);
  if (message) assert.match(errors[0].message, message);
  if (fix) assert.match(errors[0].fix, fix);
  return errors[0];
}

describe('checkSpec on the examples', () => {
  for (const name of ['magazine', 'blog']) {
    test(`${name} is valid, without warnings, and comes back unchanged`, () => {
      const input = example(name);
      const r = checkSpec(input);
      assert.equal(r.ok, true, JSON.stringify(r));
      if (!r.ok) return;
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.spec, input);
    });
  }

  test('the small base spec used below is valid', () => {
    const r = checkSpec(base());
    assert.equal(r.ok, true, JSON.stringify(r));
  });
});

describe('pointer', () => {
  test('escapes ~ and / as RFC 6901 says', () => {
    assert.equal(pointer([]), '/');
    assert.equal(pointer(['collections', 'a/b', 'x~y', 0]), '/collections/a~1b/x~0y/0');
  });
});

describe('schema errors', () => {
  test('an unknown top-level key names the key and says to remove it', () => {
    const s = base();
    s.colections = {};
    const e = onlyError(s, '/', /colections/);
    assert.match(e.fix, /Remove "colections"/);
  });

  test('an unknown field option is reported at the field', () => {
    const s = base();
    s.collections.posts.fields.title.maxLength = 10;
    const e = onlyError(s, '/collections/posts/fields/title', /maxLength/);
    assert.match(e.fix, /"maxLength"/);
  });

  test('an unknown collection option is reported at the collection', () => {
    const s = base();
    s.collections.posts.sortBy = 'title';
    onlyError(s, '/collections/posts', /sortBy/, /Remove "sortBy"/);
  });

  test('an unknown field type is reported at .../type and lists the types', () => {
    const e = onlyError(withField('n', { type: 'strng' }), '/collections/posts/fields/n/type');
    for (const t of ['string', 'integer', 'decimal', 'relation']) assert.ok(e.fix.includes(t), `fix lists ${t}: ${e.fix}`);
  });

  test('an option of the wrong JSON type names the expected type', () => {
    onlyError(withField('n', { type: 'string', required: 'yes' }), '/collections/posts/fields/n/required', undefined, /boolean/);
  });

  test('a wrong format version is refused at /kiln', () => {
    const s = base();
    s.kiln = 2;
    onlyError(s, '/kiln', undefined, /1/);
  });

  test('a missing tenancy is refused at /tenancy', () => {
    const s = base();
    delete s.tenancy;
    onlyError(s, '/tenancy');
  });

  test('a collection without fields is refused', () => {
    const s = base();
    s.collections.posts.fields = {};
    onlyError(s, '/collections/posts/fields', /at least one field/);
  });

  test('several problems are all reported', () => {
    const s = base();
    s.extra = 1;
    s.collections.posts.fields.title.type = 'nope';
    s.collections.people.fields.name.unique = 'yes';
    const paths = errorsOf(s).map((e) => e.path).sort();
    assert.deepEqual(paths, ['/', '/collections/people/fields/name/unique', '/collections/posts/fields/title/type']);
  });
});

describe('relations', () => {
  test('a relation to a missing collection is reported at .../to and lists the collections', () => {
    const e = onlyError(withField('y', { type: 'relation', to: 'x' }), '/collections/posts/fields/y/to', /"x"/);
    assert.match(e.fix, /posts/);
    assert.match(e.fix, /people/);
  });

  test('a relation to an existing collection (and to itself) is valid', () => {
    const s = withField('author', { type: 'relation', to: 'people' });
    s.collections.posts.fields.related = { type: 'relation', to: 'posts', many: true };
    assert.equal(checkSpec(s).ok, true);
  });

  test('a unique many-relation is refused at .../unique', () => {
    onlyError(withField('y', { type: 'relation', to: 'people', many: true, unique: true }), '/collections/posts/fields/y/unique');
  });
});

describe('names', () => {
  for (const reserved of ['id', 'createdAt', 'updatedAt', 'tenantId', 'createdat']) {
    test(`a field named "${reserved}" is refused as a system field`, () => {
      onlyError(withField(reserved, { type: 'string' }), `/collections/posts/fields/${reserved}`, /system field/, /Rename/);
    });
  }

  for (const reserved of ['tenants', 'health', 'openapi', 'kilnSettings']) {
    test(`a collection named "${reserved}" is refused as reserved`, () => {
      const s = base();
      s.collections[reserved] = { fields: { name: { type: 'string' } } };
      onlyError(s, `/collections/${reserved}`, /reserved/, /Rename/);
    });
  }

  // The rule is in the schema: a lowercase letter, then letters, digits or _, at most 30 characters.
  const invalid = ['Upper', '1abc', 'a'.repeat(31), 'has-dash', '_x'];
  const label = (n: string) => (n.length > 20 ? `${n.slice(0, 5)}… (${n.length} chars)` : n);
  for (const bad of invalid) {
    test(`a field named "${label(bad)}" is refused at its path`, () => {
      onlyError(withField(bad, { type: 'string' }), pointer(['collections', 'posts', 'fields', bad]));
    });
  }

  test('an invalid collection name is refused at its path', () => {
    const s = base();
    s.collections['1posts'] = { fields: { name: { type: 'string' } } };
    onlyError(s, '/collections/1posts');
  });

  test('an invalid role name is refused at its path', () => {
    const s = base();
    s.roles = { Editor: { can: { posts: ['read'] } } };
    onlyError(s, '/roles/Editor');
  });

  // The error must say what a valid name looks like and to rename, not only that a record key is invalid.
  const namingCases: [string, () => AnySpec, string][] = [
    ...invalid.map((bad): [string, () => AnySpec, string] => [`field "${label(bad)}"`, () => withField(bad, { type: 'string' }), pointer(['collections', 'posts', 'fields', bad])]),
    ['collection "1posts"', () => ({ ...base(), collections: { ...base().collections, '1posts': { fields: { name: { type: 'string' } } } } }), '/collections/1posts'],
    ['role "Editor"', () => ({ ...base(), roles: { Editor: {} } }), '/roles/Editor'],
  ];
  test('the error for an invalid field, collection or role name explains the naming rule and says to rename', () => {
    const unhelpful: string[] = [];
    for (const [what, make, path] of namingCases) {
      const e = onlyError(make(), path);
      if (!/lowercase letter/.test(`${e.message} ${e.fix}`) || !/[Rr]ename/.test(e.fix)) unhelpful.push(`${what}: ${JSON.stringify(e)}`);
    }
    assert.deepEqual(unhelpful, []);
  });

  test('an invalid app name is refused with the naming rule', () => {
    const s = base();
    s.name = 'My App';
    onlyError(s, '/name', /lowercase letter/, /[Rr]ename/);
  });

  test('a name of exactly 30 characters, with digits, _ and capitals after the first letter, is valid', () => {
    const name = `a${'B_9'.repeat(9)}zz`;
    assert.equal(name.length, 30);
    assert.equal(checkSpec(withField(name, { type: 'string' })).ok, true);
  });

  test('"title" and "Title" cannot both be fields', () => {
    const e = errorsOf(withField('Title', { type: 'string' }));
    assert.ok(e.some((x) => x.path === '/collections/posts/fields/Title'), JSON.stringify(e));
  });

  test('fields that differ only in letter case are refused, naming both', () => {
    const e = onlyError(withField('tItle', { type: 'string' }), '/collections/posts/fields/tItle', /"tItle" and "title"/, /[Rr]ename/);
    assert.match(e.message, /case/);
  });

  test('collections that differ only in letter case are refused', () => {
    const s = base();
    s.collections.pOsts = { fields: { name: { type: 'string' } } };
    onlyError(s, '/collections/pOsts', /"pOsts" and "posts"/);
  });

  test('roles that differ only in letter case are refused', () => {
    const s = base();
    s.roles = { editor: {}, eDitor: {} };
    onlyError(s, '/roles/eDitor', /case/);
  });
});

describe('defaults', () => {
  test('an integer default "x" is refused at .../default', () => {
    onlyError(withField('n', { type: 'integer', default: 'x' }), '/collections/posts/fields/n/default', undefined, /number|int/);
  });

  test('an integer default below min is refused', () => {
    onlyError(withField('n', { type: 'integer', min: 10, default: 5 }), '/collections/posts/fields/n/default', /at least 10/);
  });

  test('an enum default that is not one of the values is refused and lists the values', () => {
    onlyError(withField('s', { type: 'enum', values: ['draft', 'live'], default: 'gone' }), '/collections/posts/fields/s/default', /draft, live/);
  });

  test('a multiple enum takes a list default of allowed values', () => {
    assert.equal(checkSpec(withField('s', { type: 'enum', values: ['a', 'b'], multiple: true, default: ['a'] })).ok, true);
    onlyError(withField('s', { type: 'enum', values: ['a', 'b'], multiple: true, default: 'a' }), '/collections/posts/fields/s/default', /list/);
    onlyError(withField('s', { type: 'enum', values: ['a', 'b'], multiple: true, default: ['c'] }), '/collections/posts/fields/s/default');
  });

  test('a decimal default with too many digits after the point is refused, not rounded', () => {
    onlyError(withField('p', { type: 'decimal', scale: 2, default: '1.234' }), '/collections/posts/fields/p/default', /2 digits after/);
  });

  test('a decimal default with too many digits before the point is refused', () => {
    onlyError(withField('p', { type: 'decimal', precision: 4, scale: 2, default: '123.45' }), '/collections/posts/fields/p/default', /2 digits before/);
  });

  test('a decimal default that fits is valid, as a string or a number', () => {
    assert.equal(checkSpec(withField('p', { type: 'decimal', precision: 4, scale: 2, default: '12.5' })).ok, true);
    assert.equal(checkSpec(withField('p', { type: 'decimal', precision: 4, scale: 2, default: 99.99 })).ok, true);
  });

  test('a date default "2026-02-30" is refused', () => {
    onlyError(withField('d', { type: 'date', default: '2026-02-30' }), '/collections/posts/fields/d/default', /date/);
  });

  test('a date default on a real leap day is valid', () => {
    assert.equal(checkSpec(withField('d', { type: 'date', default: '2028-02-29' })).ok, true);
  });

  test('a datetime default takes "now" or an ISO date-time with a zone, nothing else', () => {
    assert.equal(checkSpec(withField('t', { type: 'datetime', default: 'now' })).ok, true);
    assert.equal(checkSpec(withField('t', { type: 'datetime', default: '2026-01-31T09:30:00+01:00' })).ok, true);
    onlyError(withField('t', { type: 'datetime', default: 'yesterday' }), '/collections/posts/fields/t/default');
    onlyError(withField('t', { type: 'datetime', default: '2026-01-31T09:30:00' }), '/collections/posts/fields/t/default');
  });

  test('a datetime default on an impossible calendar date is refused', () => {
    onlyError(withField('t', { type: 'datetime', default: '2026-02-30T09:30:00Z' }), '/collections/posts/fields/t/default');
  });

  test('a string default longer than max is refused', () => {
    onlyError(withField('s', { type: 'string', max: 3, default: 'abcd' }), '/collections/posts/fields/s/default', /at most 3/);
  });

  test('an email default that is not an email is refused', () => {
    onlyError(withField('e', { type: 'email', default: 'nobody' }), '/collections/posts/fields/e/default');
  });

  test('a unique field cannot have a default', () => {
    onlyError(withField('s', { type: 'string', unique: true, default: 'a' }), '/collections/posts/fields/s/default', /unique/);
  });
});

describe('limits', () => {
  test('integer min > max is refused at .../min', () => {
    onlyError(withField('n', { type: 'integer', min: 5, max: 1 }), '/collections/posts/fields/n/min', /greater than max/, /at most max/);
  });

  test('string min > max is refused', () => {
    onlyError(withField('s', { type: 'string', min: 10, max: 5 }), '/collections/posts/fields/s/min');
  });

  test('decimal min > max is refused, comparing numerically ("10" > "9.5")', () => {
    onlyError(withField('p', { type: 'decimal', min: '10', max: '9.5' }), '/collections/posts/fields/p/min');
  });

  test('date min > max is refused', () => {
    onlyError(withField('d', { type: 'date', min: '2026-05-01', max: '2026-01-01' }), '/collections/posts/fields/d/min');
  });

  test('min == max is valid', () => {
    assert.equal(checkSpec(withField('n', { type: 'integer', min: 3, max: 3 })).ok, true);
  });

  test('a decimal min that is not a decimal is refused at .../min', () => {
    onlyError(withField('p', { type: 'decimal', min: 'abc' }), '/collections/posts/fields/p/min');
  });

  test('a date max that is not a date is refused at .../max', () => {
    onlyError(withField('d', { type: 'date', max: '2026-13-01' }), '/collections/posts/fields/d/max');
  });

  test('a decimal whose scale exceeds its precision is refused (no value could ever fit it)', () => {
    const errors = errorsOf(withField('p', { type: 'decimal', precision: 2, scale: 5 }));
    assert.ok(errors.some((e) => e.path.startsWith('/collections/posts/fields/p')), JSON.stringify(errors));
  });
});

describe('cross references', () => {
  test('a slug from a missing field is refused at .../from and lists the fields', () => {
    const e = onlyError(withField('slug', { type: 'slug', from: 'headline' }), '/collections/posts/fields/slug/from', /"headline"/);
    assert.match(e.fix, /title/);
  });

  test('a slug from a non-text field is refused', () => {
    const s = withField('n', { type: 'integer' });
    s.collections.posts.fields.slug = { type: 'slug', from: 'n' };
    onlyError(s, '/collections/posts/fields/slug/from', /integer/);
  });

  test('a role granting access to a missing collection is refused at /roles/R/can/C', () => {
    const s = base();
    s.roles = { editor: { can: { posts: ['read'], ghosts: ['read', 'update'] } } };
    const e = onlyError(s, '/roles/editor/can/ghosts', /"ghosts"/);
    assert.match(e.fix, /posts/);
  });

  test('a role may grant "*"', () => {
    const s = base();
    s.roles = { editor: { can: { '*': ['read', 'create'] } } };
    assert.equal(checkSpec(s).ok, true);
  });

  test('an action listed twice is refused', () => {
    const s = base();
    s.roles = { editor: { can: { posts: ['read', 'read'] } } };
    onlyError(s, '/roles/editor/can/posts', /twice/);
  });

  test('an unknown action is refused', () => {
    const s = base();
    s.roles = { editor: { can: { posts: ['publish'] } } };
    const errors = errorsOf(s);
    assert.ok(errors.some((e) => e.path === '/roles/editor/can/posts/0'), JSON.stringify(errors));
  });

  test('a defaultSort on a missing field is refused at .../defaultSort', () => {
    const s = base();
    s.collections.posts.defaultSort = '-publishedAt';
    onlyError(s, '/collections/posts/defaultSort', /"publishedAt"/);
  });

  test('a defaultSort on own and system fields is valid', () => {
    const s = base();
    s.collections.posts.defaultSort = '-createdAt,title';
    assert.equal(checkSpec(s).ok, true);
  });

  test('a defaultSort on a many-relation is refused', () => {
    const s = withField('tags', { type: 'relation', to: 'people', many: true });
    s.collections.posts.defaultSort = 'tags';
    onlyError(s, '/collections/posts/defaultSort');
  });

  test('a titleField that is not a field is refused', () => {
    const s = base();
    s.collections.posts.titleField = 'name';
    onlyError(s, '/collections/posts/titleField', /"name"/, /title/);
  });
});

describe('reserved sections', () => {
  for (const section of ['workflow', 'ai', 'webhooks']) {
    test(`a non-empty "${section}" section is kept with a warning at /${section}`, () => {
      const s = base();
      s[section] = { something: true };
      const r = checkSpec(s);
      assert.equal(r.ok, true, JSON.stringify(r));
      if (!r.ok) return;
      assert.deepEqual(r.warnings.map((w) => w.path), [`/${section}`]);
      assert.match(r.warnings[0].message, new RegExp(section));
      assert.ok(r.warnings[0].fix.length > 0);
      assert.deepEqual((r.spec as AnySpec)[section], { something: true });
    });

    test(`an empty "${section}" section gives no warning`, () => {
      const s = base();
      s[section] = {};
      const r = checkSpec(s);
      assert.equal(r.ok, true);
      assert.deepEqual(r.warnings, []);
    });
  }

  test('warnings come back with the errors of an invalid spec too', () => {
    const s = withField('id', { type: 'string' });
    s.ai = { model: 'x' };
    const r = checkSpec(s);
    assert.equal(r.ok, false);
    assert.deepEqual(r.warnings.map((w) => w.path), ['/ai']);
  });
});

describe('auth section', () => {
  const withAuth = (auth: unknown) => ({ ...base(), roles: { editor: {} }, auth });

  test('a typed auth section is accepted without warnings: it is enforced', () => {
    const r = checkSpec(withAuth({ methods: ['password'], providers: [{ id: 'github', type: 'github' }, { id: 'corp', type: 'oidc', issuer: 'https://login.example.com' }], mfa: { policy: 'required', roles: ['editor'] }, tokens: { accessToken: '5m' }, clients: [{ id: 'web', type: 'public', redirectUris: ['https://app.example.com/cb'] }] }));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.warnings, []);
  });

  test('an unknown key, method or duration is an error at its path', () => {
    const r = checkSpec(withAuth({ methods: ['sms'], tokens: { accessToken: '5 minutes' }, extra: 1 }));
    assert.equal(r.ok, false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    assert.ok(paths.includes('/auth/methods/0'), paths.join());
    assert.ok(paths.includes('/auth/tokens/accessToken'), paths.join());
    assert.ok(paths.includes('/auth'), paths.join());
  });

  test('semantic rules: oidc needs an issuer, ids are unique, MFA roles exist, code clients need redirect URIs', () => {
    const r = checkSpec(withAuth({ providers: [{ id: 'corp', type: 'oidc' }, { id: 'corp', type: 'github', issuer: 'https://x.example' }], mfa: { policy: 'required', roles: ['admin'] }, clients: [{ id: 'tv', type: 'public', grants: ['authorization_code'] }, { id: 'cli', type: 'public', grants: ['client_credentials'] }] }));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.errors.map((e) => e.path).sort(), ['/auth/clients/0/redirectUris', '/auth/clients/1/grants', '/auth/mfa/roles/0', '/auth/providers/0/issuer', '/auth/providers/1/id', '/auth/providers/1/issuer']);
    for (const e of r.errors) assert.ok(e.fix.length > 0);
  });
});
