// The authorization matrix of issue 5, over HTTP with real credentials of each kind, once per driver:
// a session cookie (email and password sign-in), an OAuth access token (code + PKCE through
// openid-client) and an API key, each of a person or key of tenant A ("acme").
// - For every tenant-scoped route the running app registered (read from Fastify's route table, so a
//   new route without a case here fails the suite), the tenant-A credential gets what the API
//   defines for it in A, and in tenant B ("globex") a 403 or 404 — or, for a route that is public by
//   design, exactly what an anonymous caller gets; B read as root is unchanged afterwards.
// - A reader sees no drafts through lists, single reads, search, expands, relation filters or
//   revisions; fields hidden from readers stay hidden in lists, expands and search, and a writer's
//   read-only field is refused, for every kind of credential.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drivers } from '../harness.ts';
import { verifiedUser } from './oidc-helpers.ts';
import { credentialsOf, send, sessionCookie, startMatrixApp, type Credential, type CredentialKind, type MatrixApp, type Reply } from './isolation-helpers.ts';

const A = 'acme';
const B = 'globex';
const COLLECTIONS = ['authors', 'categories', 'tags', 'articles', 'picks'] as const;
type Collection = (typeof COLLECTIONS)[number];

/** What one tenant holds for the matrix to aim at (created with the root token). */
type Fixture = {
  slug: string;
  ids: Record<Collection, string>;
  schedule: string;
  media: string;
  webhook: string;
  apiKey: string;
  member: string;
  invitation: string;
};

type Req = { method: string; path: string; body?: unknown };
type Expect = number | ((kind: CredentialKind, c: string) => number);
type Case = {
  /** METHOD and route as registered, with a collection's name as {collection}. */
  route: string;
  /** The request against a tenant's fixture (and collection, for {collection} routes). */
  request: (f: Fixture, c: Collection) => Req | Promise<Req>;
  /** What the tenant-A credential gets in tenant A (editor and admin; the API key: editor). */
  inA: Expect;
  /** The request changes what it names: A gets a fresh target each time. */
  fresh?: (f: Fixture, c: Collection) => Promise<Fixture>;
  /** Public by design: in B, the credential gets exactly the anonymous answer. */
  publicRoute?: true;
};

let counter = 0;
const next = () => ++counter;

const createBody = (c: Collection, f: Fixture): Record<string, unknown> => {
  const n = next();
  if (c === 'authors') return { name: `Author ${n}`, email: `author${n}@${f.slug}.test` };
  if (c === 'categories') return { name: `Category ${n}` };
  if (c === 'tags') return { name: `Tag ${n}` };
  if (c === 'articles') return { title: `Article ${n}`, summary: `Summary ${n}`, body: `<p>The council met on Tuesday to discuss item ${n}. It approved new lanes for bicycles. Shop owners worry about parking.</p>`, author: f.ids.authors };
  return { label: `Pick ${n}`, article: f.ids.articles };
};
const patchBody = (c: Collection): Record<string, unknown> => (c === 'articles' ? { title: `Renamed ${next()}` } : c === 'picks' ? { label: `Renamed ${next()}` } : { name: `Renamed ${next()}` });

const ok = (r: Reply, status: number, what: string) => assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);

for (const driver of await drivers()) {
  describe(`authorization matrix (${driver})`, () => {
    let app: MatrixApp;
    const fixtures: Record<string, Fixture> = {};
    let editor: Credential[];
    let readers: Credential[];
    let writers: Credential[];
    /** Each tenant's own admin session: invitations are sent by a person, never by root. */
    const managers = new Map<string, Credential>();

    const root = (method: string, path: string, body?: unknown) => send(app, method, path, body, undefined);

    async function item(slug: string, c: Collection, f: Pick<Fixture, 'slug' | 'ids'>, extra: Record<string, unknown> = {}): Promise<string> {
      const r = await root('POST', `/api/t/${slug}/${c}`, { ...createBody(c, f as Fixture), ...extra });
      ok(r, 201, `create ${c} in ${slug}`);
      return r.body.data.id;
    }

    async function newMember(slug: string, roles: string[]): Promise<string> {
      const email = `member${next()}@${slug}.test`;
      const id = await verifiedUser(app, email);
      ok(await root('POST', `/api/tenants/${slug}/members`, { email, roles }), 201, 'add member');
      return id;
    }

    async function fixture(slug: string, manager: Credential): Promise<Fixture> {
      const f = { slug, ids: {} as Record<Collection, string> } as Fixture;
      for (const c of COLLECTIONS) {
        f.ids[c] = await item(slug, c, f);
        // A second revision, for revision reads, diffs and restores.
        ok(await root('PATCH', `/api/t/${slug}/${c}/${f.ids[c]}`, patchBody(c)), 200, `update ${c}`);
      }
      const s = await root('POST', `/api/t/${slug}/articles/${f.ids.articles}/schedule`, { to: 'in_review', at: new Date(Date.now() + 86_400_000).toISOString() });
      ok(s, 201, 'schedule');
      f.schedule = s.body.data.id;
      const form = new FormData();
      form.append('file', new Blob([`bytes of ${slug}`], { type: 'text/plain' }), 'note.txt');
      const m = await root('POST', `/api/t/${slug}/media`, form);
      ok(m, 201, 'upload');
      f.media = m.body.data.id;
      const w = await root('POST', `/api/t/${slug}/webhooks`, { url: `https://hooks.example.com/${slug}` });
      ok(w, 201, 'webhook');
      f.webhook = w.body.data.id;
      const k = await root('POST', `/api/t/${slug}/api-keys`, { name: 'fixture', role: 'reader' });
      ok(k, 201, 'api key');
      f.apiKey = k.body.data.id;
      f.member = await newMember(slug, ['writer']);
      const inv = await send(app, 'POST', `/api/tenants/${slug}/invitations`, { email: `invitee${next()}@${slug}.test`, roles: ['reader'] }, manager);
      ok(inv, 201, 'invitation');
      f.invitation = inv.body.data.id;
      return f;
    }

    const withItem = async (f: Fixture, c: Collection): Promise<Fixture> => ({ ...f, ids: { ...f.ids, [c]: await item(f.slug, c, f) } });
    const withSchedule = async (f: Fixture): Promise<Fixture> => {
      const g = await withItem(f, 'articles');
      const s = await root('POST', `/api/t/${f.slug}/articles/${g.ids.articles}/schedule`, { to: 'in_review', at: new Date(Date.now() + 86_400_000).toISOString() });
      ok(s, 201, 'schedule');
      return { ...g, schedule: s.body.data.id };
    };
    const withMember = async (f: Fixture): Promise<Fixture> => ({ ...f, member: await newMember(f.slug, ['writer']) });
    const withInvitation = async (f: Fixture): Promise<Fixture> => {
      const inv = await send(app, 'POST', `/api/tenants/${f.slug}/invitations`, { email: `invitee${next()}@${f.slug}.test`, roles: ['reader'] }, managers.get(f.slug));
      ok(inv, 201, 'invitation');
      return { ...f, invitation: inv.body.data.id };
    };

    const t = (f: Fixture) => `/api/t/${f.slug}`;
    const item_ = (f: Fixture, c: Collection) => `${t(f)}/${c}/${f.ids[c]}`;
    // The session of an admin (editor + admin) may manage members; tokens bound to a tenant and API keys may not.
    const adminSession = (ok200: number) => (kind: CredentialKind) => (kind === 'session' ? ok200 : 403);

    const CASES: Case[] = [
      { route: 'GET /api/t/:tenant/{collection}', inA: 200, request: (f, c) => ({ method: 'GET', path: `${t(f)}/${c}` }) },
      // Expanding and filtering along a relation: the same route, the related collection's rules.
      { route: 'GET /api/t/:tenant/{collection} (expand, relation filter)', inA: 200, request: (f) => ({ method: 'GET', path: `${t(f)}/articles?expand=author,tags&filter[author][name][_neq]=x` }) },
      { route: 'POST /api/t/:tenant/{collection}', inA: 201, request: (f, c) => ({ method: 'POST', path: `${t(f)}/${c}`, body: createBody(c, f) }) },
      { route: 'GET /api/t/:tenant/{collection}/:id', inA: 200, request: (f, c) => ({ method: 'GET', path: item_(f, c) }) },
      { route: 'PATCH /api/t/:tenant/{collection}/:id', inA: 200, request: (f, c) => ({ method: 'PATCH', path: item_(f, c), body: patchBody(c) }) },
      { route: 'DELETE /api/t/:tenant/{collection}/:id', inA: 204, fresh: withItem, request: (f, c) => ({ method: 'DELETE', path: item_(f, c) }) },
      { route: 'GET /api/t/:tenant/{collection}/:id/revisions', inA: 200, request: (f, c) => ({ method: 'GET', path: `${item_(f, c)}/revisions` }) },
      { route: 'GET /api/t/:tenant/{collection}/:id/revisions/:rev', inA: 200, request: (f, c) => ({ method: 'GET', path: `${item_(f, c)}/revisions/1` }) },
      { route: 'POST /api/t/:tenant/{collection}/:id/revisions/:rev/restore', inA: 200, request: (f, c) => ({ method: 'POST', path: `${item_(f, c)}/revisions/1/restore` }) },
      { route: 'GET /api/t/:tenant/{collection}/:id/diff', inA: 200, request: (f, c) => ({ method: 'GET', path: `${item_(f, c)}/diff?from=1&to=2` }) },
      { route: 'POST /api/t/:tenant/{collection}/:id/transition', inA: 200, fresh: withItem, request: (f, c) => ({ method: 'POST', path: `${item_(f, c)}/transition`, body: { to: 'in_review' } }) },
      { route: 'POST /api/t/:tenant/{collection}/:id/schedule', inA: 201, request: (f, c) => ({ method: 'POST', path: `${item_(f, c)}/schedule`, body: { to: 'in_review', at: new Date(Date.now() + 86_400_000).toISOString() } }) },
      { route: 'GET /api/t/:tenant/{collection}/:id/schedule', inA: 200, request: (f, c) => ({ method: 'GET', path: `${item_(f, c)}/schedule` }) },
      { route: 'DELETE /api/t/:tenant/{collection}/:id/schedule/:schedule', inA: 200, fresh: withSchedule, request: (f, c) => ({ method: 'DELETE', path: `${item_(f, c)}/schedule/${f.schedule}` }) },
      // Only articles have AI actions; elsewhere the action is unknown (404) in A as well.
      { route: 'POST /api/t/:tenant/{collection}/:id/ai/:action', inA: (_k, c) => (c === 'articles' ? 200 : 404), request: (f, c) => ({ method: 'POST', path: `${item_(f, c)}/ai/summarize`, body: {} }) },
      { route: 'GET /api/t/:tenant/search', inA: 200, request: (f) => ({ method: 'GET', path: `${t(f)}/search?q=renamed` }) },
      {
        route: 'POST /api/t/:tenant/media',
        inA: 201,
        request: (f) => {
          const form = new FormData();
          form.append('file', new Blob([`upload ${next()}`], { type: 'text/plain' }), 'upload.txt');
          return { method: 'POST', path: `${t(f)}/media`, body: form };
        },
      },
      { route: 'GET /api/t/:tenant/media/:id', inA: 200, request: (f) => ({ method: 'GET', path: `${t(f)}/media/${f.media}` }) },
      // API keys and webhooks are the root token's to manage.
      { route: 'POST /api/t/:tenant/api-keys', inA: 403, request: (f) => ({ method: 'POST', path: `${t(f)}/api-keys`, body: { name: 'mine', role: 'editor' } }) },
      { route: 'GET /api/t/:tenant/api-keys', inA: 403, request: (f) => ({ method: 'GET', path: `${t(f)}/api-keys` }) },
      { route: 'DELETE /api/t/:tenant/api-keys/:id', inA: 403, request: (f) => ({ method: 'DELETE', path: `${t(f)}/api-keys/${f.apiKey}` }) },
      { route: 'POST /api/t/:tenant/webhooks', inA: 403, request: (f) => ({ method: 'POST', path: `${t(f)}/webhooks`, body: { url: 'https://hooks.example.com/mine' } }) },
      { route: 'GET /api/t/:tenant/webhooks', inA: 403, request: (f) => ({ method: 'GET', path: `${t(f)}/webhooks` }) },
      { route: 'GET /api/t/:tenant/webhooks/:id', inA: 403, request: (f) => ({ method: 'GET', path: `${t(f)}/webhooks/${f.webhook}` }) },
      { route: 'PATCH /api/t/:tenant/webhooks/:id', inA: 403, request: (f) => ({ method: 'PATCH', path: `${t(f)}/webhooks/${f.webhook}`, body: { url: 'https://hooks.example.com/moved' } }) },
      { route: 'POST /api/t/:tenant/webhooks/:id/disable', inA: 403, request: (f) => ({ method: 'POST', path: `${t(f)}/webhooks/${f.webhook}/disable` }) },
      { route: 'DELETE /api/t/:tenant/webhooks/:id', inA: 403, request: (f) => ({ method: 'DELETE', path: `${t(f)}/webhooks/${f.webhook}` }) },
      { route: 'POST /api/t/:tenant/webhooks/:id/rotate-secret', inA: 403, request: (f) => ({ method: 'POST', path: `${t(f)}/webhooks/${f.webhook}/rotate-secret` }) },
      { route: 'POST /api/t/:tenant/webhooks/:id/enable', inA: 403, request: (f) => ({ method: 'POST', path: `${t(f)}/webhooks/${f.webhook}/enable` }) },
      { route: 'GET /api/t/:tenant/webhooks/:id/deliveries', inA: 403, request: (f) => ({ method: 'GET', path: `${t(f)}/webhooks/${f.webhook}/deliveries` }) },
      // Which sign-in buttons a tenant's page shows: public, the same for everyone.
      { route: 'GET /api/tenants/:slug/providers', inA: 200, publicRoute: true, request: (f) => ({ method: 'GET', path: `/api/tenants/${f.slug}/providers` }) },
      { route: 'GET /api/tenants/:slug/members', inA: adminSession(200), request: (f) => ({ method: 'GET', path: `/api/tenants/${f.slug}/members` }) },
      { route: 'POST /api/tenants/:slug/members', inA: 403, request: (f) => ({ method: 'POST', path: `/api/tenants/${f.slug}/members`, body: { email: `someone${next()}@example.com`, roles: ['editor'] } }) },
      { route: 'PUT /api/tenants/:slug/members/:userId', inA: adminSession(200), fresh: withMember, request: (f) => ({ method: 'PUT', path: `/api/tenants/${f.slug}/members/${f.member}`, body: { roles: ['editor'] } }) },
      { route: 'DELETE /api/tenants/:slug/members/:userId', inA: adminSession(204), fresh: withMember, request: (f) => ({ method: 'DELETE', path: `/api/tenants/${f.slug}/members/${f.member}` }) },
      { route: 'GET /api/tenants/:slug/invitations', inA: adminSession(200), request: (f) => ({ method: 'GET', path: `/api/tenants/${f.slug}/invitations` }) },
      { route: 'POST /api/tenants/:slug/invitations', inA: adminSession(201), request: (f) => ({ method: 'POST', path: `/api/tenants/${f.slug}/invitations`, body: { email: `invited${next()}@example.com`, roles: ['writer'] } }) },
      { route: 'GET /api/tenants/:slug/invitations/:id', inA: (kind) => (kind === 'session' ? 200 : 404), request: (f) => ({ method: 'GET', path: `/api/tenants/${f.slug}/invitations/${f.invitation}` }) },
      { route: 'DELETE /api/tenants/:slug/invitations/:id', inA: adminSession(204), fresh: withInvitation, request: (f) => ({ method: 'DELETE', path: `/api/tenants/${f.slug}/invitations/${f.invitation}` }) },
      { route: 'GET /api/tenants/:slug/audit', inA: adminSession(200), request: (f) => ({ method: 'GET', path: `/api/tenants/${f.slug}/audit` }) },
    ];

    /** Everything of tenant B the root token can read: what no tenant-A credential may change. */
    async function snapshotOf(f: Fixture): Promise<unknown> {
      const out: Record<string, unknown> = {};
      const read = async (path: string) => {
        const r = await root('GET', path);
        ok(r, 200, `root reads ${path}`);
        return r.body;
      };
      for (const c of COLLECTIONS) {
        const list = (await read(`${t(f)}/${c}?limit=100`)) as { data: { id: string }[] };
        out[c] = list.data;
        for (const i of list.data) out[`${c}/${i.id}/revisions`] = await read(`${t(f)}/${c}/${i.id}/revisions`);
      }
      out.schedule = await read(`${item_(f, 'articles')}/schedule`);
      const media = await root('GET', `${t(f)}/media/${f.media}`);
      out.media = [media.status, media.body];
      out.webhooks = await read(`${t(f)}/webhooks`);
      out.apiKeys = await read(`${t(f)}/api-keys`);
      out.members = await read(`/api/tenants/${f.slug}/members`);
      out.invitations = await read(`/api/tenants/${f.slug}/invitations`);
      return out;
    }

    before(async () => {
      app = await startMatrixApp(driver);
      for (const slug of [A, B]) ok(await root('POST', '/api/tenants', { slug, name: slug.toUpperCase() }), 201, 'tenant');
      // B's own admin, who sends B's invitation; A's editor-admin holds the credentials under test.
      for (const [slug, email] of [[A, 'ed@acme.test'], [B, 'bea@globex.test']] as const) {
        if (slug === A) {
          const ed = await credentialsOf(app, email, A, ['editor', 'admin'], 'editor');
          editor = ed.creds;
          managers.set(A, ed.creds[0]);
        } else {
          await verifiedUser(app, email);
          ok(await root('POST', `/api/tenants/${B}/members`, { email, roles: ['admin'] }), 201, 'B admin');
          managers.set(B, { kind: 'session', headers: { cookie: await sessionCookie(app, email), origin: app.url } });
        }
        fixtures[slug] = await fixture(slug, managers.get(slug)!);
      }
      readers = (await credentialsOf(app, 'rita@acme.test', A, ['reader'], 'reader')).creds;
      writers = (await credentialsOf(app, 'will@acme.test', A, ['writer'], 'writer')).creds;
    });
    after(() => app?.close());

    test('the credentials are real: each is the person (or key) of tenant A it claims to be', async () => {
      const me = await Promise.all(editor.map((c) => send(app, 'GET', '/api/me', undefined, c)));
      assert.deepEqual(me[0].body.data.memberships, { acme: ['editor', 'admin'] });
      assert.deepEqual(me[1].body.data.roles, ['editor', 'admin']);
      assert.deepEqual(me[2].body.data.roles, ['editor']);
      for (const c of editor) {
        const drafts = await send(app, 'GET', `/api/t/${A}/articles`, undefined, c);
        ok(drafts, 200, c.kind);
        assert.ok(drafts.body.data.some((a: { id: string }) => a.id === fixtures[A].ids.articles), `${c.kind} reads A's draft`);
      }
    });

    test('every tenant-scoped route has a case in this matrix', () => {
      const scoped = app
        .routes()
        .filter((r) => r.url.startsWith('/api/t/:tenant/') || r.url.startsWith('/api/tenants/:slug/'))
        .map((r) => {
          const parts = r.url.split('/');
          if (parts[2] === 't' && (COLLECTIONS as readonly string[]).includes(parts[4])) parts[4] = '{collection}';
          return `${r.method} ${parts.join('/')}`;
        });
      assert.ok(scoped.length > 30, `the route table was read (${scoped.length} routes)`);
      const covered = new Set(CASES.map((c) => c.route));
      const missing = [...new Set(scoped)].filter((r) => !covered.has(r));
      assert.deepEqual(missing, [], 'tenant-scoped routes without a case in test/auth/isolation.test.ts');
      const stale = CASES.map((c) => c.route.replace(/ \(.*\)$/, '')).filter((r) => !scoped.includes(r));
      assert.deepEqual(stale, [], 'cases for routes the app does not register');
    });

    test('a tenant-A credential gets what the API defines in A, and cannot see or change tenant B', async () => {
      const before = await snapshotOf(fixtures[B]);
      const anonymous = { kind: 'session', headers: {} } as Credential;
      const failures: string[] = [];
      for (const cs of CASES) {
        // Content routes run once per collection that has them (transitions and schedules: articles).
        const collections: Collection[] = !cs.route.includes('{collection}') ? ['articles'] : /transition|schedule/.test(cs.route) || cs.route.includes('expand') ? ['articles'] : [...COLLECTIONS];
        for (const c of collections) {
          for (const cred of editor) {
            const label = `${cs.route} [${c}] as ${cred.kind}`;
            const inA = cs.fresh ? await cs.fresh(fixtures[A], c) : fixtures[A];
            const a = await cs.request(inA, c);
            const ra = await send(app, a.method, a.path, a.body, cred);
            const expected = typeof cs.inA === 'number' ? cs.inA : cs.inA(cred.kind, c);
            if (ra.status !== expected) failures.push(`${label} in A: ${ra.status}, expected ${expected} ${JSON.stringify(ra.body)}`);

            const b = await cs.request(fixtures[B], c);
            const rb = await send(app, b.method, b.path, b.body, cred);
            if (cs.publicRoute) {
              const anon = await send(app, b.method, b.path, b.body, anonymous);
              if (rb.status !== anon.status || JSON.stringify(rb.body) !== JSON.stringify(anon.body)) failures.push(`${label} in B: ${rb.status} differs from the anonymous answer ${anon.status}`);
            } else if (rb.status !== 403 && rb.status !== 404) failures.push(`${label} in B: ${rb.status} ${JSON.stringify(rb.body).slice(0, 300)}`);
          }
        }
      }
      assert.deepEqual(failures, []);
      assert.deepEqual(await snapshotOf(fixtures[B]), before, 'tenant B is unchanged');
    });

    test('a reader sees no drafts and no hidden field: lists, reads, search, expands, relation filters, revisions', async () => {
      const author = await item(A, 'authors', fixtures[A], { name: 'Reader Visible', email: 'secret-address@acme.test' });
      const withAuthor = { ...fixtures[A], ids: { ...fixtures[A].ids, authors: author } };
      const published = await item(A, 'articles', withAuthor, { title: 'Published zebra', summary: 'Zebras sleep standing, says summaryonlyword.', status: 'published' });
      const draft = await item(A, 'articles', withAuthor, { title: 'Draft giraffe', summary: 'Giraffe notes' });
      const pickDraft = await item(A, 'picks', { ...withAuthor, ids: { ...withAuthor.ids, articles: draft } }, { label: 'Pick of the draft' });
      const pickPublished = await item(A, 'picks', { ...withAuthor, ids: { ...withAuthor.ids, articles: published } }, { label: 'Pick of the published' });

      // Controls: the same requests as root find what a reader must not.
      assert.equal((await root('GET', `/api/t/${A}/search?q=giraffe`)).body.data.length, 1);
      assert.equal((await root('GET', `/api/t/${A}/search?q=summaryonlyword`)).body.data.length, 1);
      assert.equal((await root('GET', `/api/t/${A}/picks?filter[article][title][_eq]=Draft%20giraffe`)).body.data.length, 1);
      assert.equal((await root('GET', `/api/t/${A}/authors/${author}`)).body.data.email, 'secret-address@acme.test');

      for (const cred of readers) {
        const as = (path: string) => send(app, 'GET', path, undefined, cred);
        const k = cred.kind;
        const list = await as(`/api/t/${A}/articles?limit=100&expand=author`);
        ok(list, 200, k);
        const titles = list.body.data.map((x: { title: string }) => x.title);
        assert.ok(titles.includes('Published zebra'), `${k}: the published article is listed`);
        assert.ok(!titles.includes('Draft giraffe'), `${k}: no draft in the list`);
        for (const x of list.body.data) {
          assert.ok(!('summary' in x), `${k}: summary is hidden in lists`);
          assert.ok(x.author && !('email' in x.author), `${k}: the expanded author has no email`);
        }
        assert.equal((await as(`/api/t/${A}/articles/${draft}`)).status, 404, `${k}: the draft cannot be read`);
        const one = await as(`/api/t/${A}/articles/${published}?expand=author`);
        ok(one, 200, k);
        assert.ok(!('summary' in one.body.data) && !('email' in one.body.data.author), `${k}: hidden fields in a single read`);
        const authors = await as(`/api/t/${A}/authors?limit=100`);
        assert.ok(authors.body.data.length > 0 && authors.body.data.every((x: object) => !('email' in x)), `${k}: no email in the authors list`);
        assert.equal((await as(`/api/t/${A}/authors?fields=email`)).status, 400, `${k}: asking for a hidden field is refused`);
        assert.equal((await as(`/api/t/${A}/authors?filter[email][_eq]=secret-address@acme.test`)).status, 400, `${k}: filtering on a hidden field is refused`);

        assert.deepEqual((await as(`/api/t/${A}/search?q=giraffe`)).body.data, [], `${k}: search finds no draft`);
        assert.deepEqual((await as(`/api/t/${A}/search?q=summaryonlyword`)).body.data, [], `${k}: search does not match a hidden field`);
        const found = await as(`/api/t/${A}/search?q=zebra`);
        assert.deepEqual(found.body.data.map((h: { id: string }) => h.id), [published], `${k}: search finds the published article`);
        assert.ok(!JSON.stringify(found.body).includes('summaryonlyword'), `${k}: no snippet quotes a hidden field`);

        const picks = await as(`/api/t/${A}/picks?limit=100&expand=article`);
        ok(picks, 200, k);
        const byId = new Map(picks.body.data.map((p: { id: string }) => [p.id, p]));
        const ofDraft = byId.get(pickDraft) as { article: unknown };
        const ofPublished = byId.get(pickPublished) as { article: { title: string } };
        assert.ok(ofDraft && (ofDraft.article === null || ofDraft.article === undefined), `${k}: expanding to a draft shows nothing: ${JSON.stringify(ofDraft)}`);
        assert.equal(ofPublished.article.title, 'Published zebra');
        assert.ok(!('summary' in ofPublished.article), `${k}: hidden fields stay hidden in expands`);
        assert.ok(!JSON.stringify(picks.body).includes('giraffe'), `${k}: nothing of the draft in the picks`);
        assert.deepEqual((await as(`/api/t/${A}/picks?filter[article][title][_eq]=Draft%20giraffe`)).body.data, [], `${k}: a relation filter does not reach drafts`);
        assert.deepEqual((await as(`/api/t/${A}/picks?filter[article][summary][_eq]=x`)).status, 400, `${k}: a relation filter cannot test a hidden field`);

        assert.equal((await as(`/api/t/${A}/articles/${published}/revisions`)).status, 403, `${k}: revisions hold drafts`);
        assert.equal((await as(`/api/t/${A}/articles/${published}/revisions/1`)).status, 403, `${k}: a revision holds drafts`);
        assert.equal((await as(`/api/t/${A}/articles/${published}/diff?from=1&to=1`)).status, 403, `${k}: a diff holds drafts`);
        // A reader cannot write at all.
        assert.equal((await send(app, 'PATCH', `/api/t/${A}/articles/${published}`, { title: 'Mine' }, cred)).status, 403, `${k}: a reader cannot write`);
      }
    });

    test("a writer's read-only field is refused for every kind of credential", async () => {
      for (const cred of writers) {
        const created = await send(app, 'POST', `/api/t/${A}/articles`, { title: `By ${cred.kind}`, author: fixtures[A].ids.authors }, cred);
        ok(created, 201, cred.kind);
        const refused = await send(app, 'PATCH', `/api/t/${A}/articles/${created.body.data.id}`, { featured: true }, cred);
        assert.equal(refused.status, 403, `${cred.kind}: ${JSON.stringify(refused.body)}`);
        assert.deepEqual(refused.body.errors.map((e: { field: string }) => e.field), ['featured']);
        ok(await send(app, 'PATCH', `/api/t/${A}/articles/${created.body.data.id}`, { title: `Edited by ${cred.kind}` }, cred), 200, cred.kind);
        assert.equal((await root('GET', `/api/t/${A}/articles/${created.body.data.id}`)).body.data.featured, false);
      }
    });
  });
}
