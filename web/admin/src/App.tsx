// The admin app: loads who is signed in and the app spec, then routes. Signed-out visitors see the
// sign-in and sign-up pages; everyone else works inside a tenant.
import { useCallback, useEffect, useState } from 'react';
import { api, message, setRootToken } from './api.ts';
import { navigate, usePath } from './router.tsx';
import { SessionContext, type Me, type Session, type Tenant } from './session.tsx';
import type { AppSpec } from './spec.ts';
import { SignIn } from './pages/SignIn.tsx';
import { SignUp } from './pages/SignUp.tsx';
import { Shell } from './Shell.tsx';
import { ListView } from './list/ListView.tsx';
import { Editor } from './editor/Editor.tsx';
import { Notice } from './Notice.tsx';
import { ForgotPassword } from './pages/ForgotPassword.tsx';
import { ResetPassword } from './pages/ResetPassword.tsx';
import { DevicePage } from './oauth/DevicePage.tsx';
import { ConsentPage } from './oauth/ConsentPage.tsx';
import { MembersPage } from './admin/MembersPage.tsx';
import { ApiKeysPage } from './admin/ApiKeysPage.tsx';
import { WebhooksPage } from './admin/WebhooksPage.tsx';
import { AuditPage } from './admin/AuditPage.tsx';
import { BuilderPage } from './builder/BuilderPage.tsx';
import { isMfaEnrolmentRequired, MfaEnrolment } from './pages/MfaEnrolment.tsx';
import { AccountPage } from './account/AccountPage.tsx';

/** Pages for people who are not signed in; a signed-in visitor is sent on to the app. */
const PUBLIC_PAGES = new Set(['/sign-in', '/sign-up', '/forgot-password', '/reset-password']);
/** A public page a signed-in person may open too: the mailed link that sets a password (account page). */
const RESET_PAGE = '/reset-password';
/** Pages that need a person's session but not the app's frame: the OAuth provider sends people here. */
const OAUTH_PAGES = /^\/(?:device|consent\/[^/]+)$/;

/** Where to go after signing in: `?next=` when it is a path of this app, else the start page. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

type Loaded = { state: 'loading' } | { state: 'error'; error: string } | { state: 'anonymous' } | { state: 'enrol' } | { state: 'ready'; session: Omit<Session, 'signOut' | 'refresh'> };

async function loadSession(): Promise<Loaded> {
  const me = (await api<{ data: Me }>('/api/me')).data;
  if (me.kind === 'anonymous') return { state: 'anonymous' };
  const spec = (await api<{ data: AppSpec }>('/api/spec')).data;
  let tenants: Tenant[];
  if (spec.tenancy === 'single') tenants = [{ slug: 'default', name: spec.title ?? spec.name }];
  else if (me.kind === 'root') tenants = (await api<{ data: Tenant[] }>('/api/tenants')).data;
  else tenants = Object.keys(me.memberships ?? {}).sort().map((slug) => ({ slug, name: slug }));
  return { state: 'ready', session: { me, spec, tenants } };
}

export function App() {
  const path = usePath();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const reload = useCallback(() => {
    setLoaded({ state: 'loading' });
    loadSession().then(setLoaded, (e: unknown) => {
      // A stale root token would otherwise lock the operator out of the sign-in page.
      if ((e as { status?: number }).status === 401) {
        setRootToken(null);
        setLoaded({ state: 'anonymous' });
      } else if (isMfaEnrolmentRequired(e)) setLoaded({ state: 'enrol' });
      else setLoaded({ state: 'error', error: message(e) });
    });
  }, []);
  useEffect(reload, [reload]);
  // Unlike reload, the page stays mounted while the session is read again.
  const refresh = useCallback(async () => setLoaded(await loadSession()), []);

  const publicPage = PUBLIC_PAGES.has(path);
  useEffect(() => {
    if (loaded.state === 'anonymous' && !publicPage) {
      const here = path + location.search;
      navigate(here === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
    }
    if (loaded.state === 'ready' && publicPage && path !== RESET_PAGE) navigate(nextPath(), { replace: true });
  }, [loaded.state, publicPage, path]);

  if (loaded.state === 'loading') return <Notice kind="loading">Loading…</Notice>;
  if (loaded.state === 'error') return <Notice kind="error" retry={reload}>{loaded.error}</Notice>;
  // Signed in, but the spec's MFA policy wants an authenticator first: nothing else answers until then.
  if (loaded.state === 'enrol') return <MfaEnrolment onDone={reload} />;
  if (loaded.state === 'anonymous') {
    if (path === '/sign-up') return <SignUp />;
    if (path === '/forgot-password') return <ForgotPassword />;
    if (path === '/reset-password') return <ResetPassword />;
    return <SignIn onSignedIn={reload} />;
  }
  if (path === RESET_PAGE) return <ResetPassword />;
  if (publicPage) return <Notice kind="loading">Loading…</Notice>;

  const signOut = async () => {
    setRootToken(null);
    if (loaded.session.me.kind === 'user') await api('/api/auth/sign-out', { method: 'POST', body: {} }).catch(() => undefined);
    navigate('/sign-in', { replace: true });
    reload();
  };
  const session: Session = { ...loaded.session, signOut, refresh };
  if (OAUTH_PAGES.test(path)) {
    return (
      <SessionContext.Provider value={session}>
        <main id="main" className="public-page">
          {path === '/device' ? <DevicePage /> : <ConsentPage uid={decodeURIComponent(path.slice('/consent/'.length))} />}
        </main>
      </SessionContext.Provider>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Routes path={path} session={session} />
    </SessionContext.Provider>
  );
}

function Routes({ path, session }: { path: string; session: Session }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const first = session.tenants[0];
  // Editors land on the content they review: the first collection with a workflow, else the first one.
  const names = Object.keys(session.spec.collections);
  const firstCollection = names.find((n) => session.spec.collections[n].workflow) ?? names[0];
  useEffect(() => {
    if (parts.length === 0 && first) navigate(`/t/${encodeURIComponent(first.slug)}/${firstCollection}`, { replace: true });
  }, [parts.length, first, firstCollection]);

  if (parts.length === 0) {
    if (!first) {
      return (
        <Shell>
          <h1 tabIndex={-1}>No tenant yet</h1>
          <p>You are signed in, but you are not a member of any tenant. Ask an admin of your publication to add you.</p>
        </Shell>
      );
    }
    return <Notice kind="loading">Loading…</Notice>;
  }
  if (parts[0] === 'account' && parts.length === 1) {
    return (
      <Shell>
        <AccountPage />
      </Shell>
    );
  }
  if (parts[0] === 'builder' && parts.length === 1) {
    return (
      <Shell>
        <BuilderPage />
      </Shell>
    );
  }
  const [t, tenant, collection, id] = parts;
  if (t === 't' && tenant && collection === '-' && parts.length <= 5) {
    const [, , , page, item] = parts;
    const body =
      page === 'members' && !item ? <MembersPage tenant={tenant} /> :
      page === 'api-keys' && !item ? <ApiKeysPage tenant={tenant} /> :
      page === 'webhooks' ? <WebhooksPage tenant={tenant} id={item} /> :
      page === 'audit' && !item ? <AuditPage tenant={tenant} /> :
      undefined;
    if (body) {
      return (
        <Shell tenant={tenant} adminPage={page}>
          {body}
        </Shell>
      );
    }
  }
  const known = t === 't' && tenant && collection && session.spec.collections[collection];
  if (!known || parts.length > 4) {
    return (
      <Shell tenant={tenant} collection={collection}>
        <h1 tabIndex={-1}>Page not found</h1>
        <p>There is no page at this address.</p>
      </Shell>
    );
  }
  return (
    <Shell tenant={tenant} collection={collection}>
      {id === undefined ? <ListView key={`${tenant}/${collection}`} tenant={tenant} collection={collection} /> : <Editor key={`${tenant}/${collection}/${id}`} tenant={tenant} collection={collection} id={id === 'new' ? undefined : id} />}
    </Shell>
  );
}
