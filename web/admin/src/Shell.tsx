// The frame around every signed-in page: skip link, app name, tenant switcher, the collections of
// the app, and who is signed in. On a phone the collections scroll sideways under the header.
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, navigate, usePath } from './router.tsx';
import { useSession } from './session.tsx';
import { collectionLabel } from './spec.ts';
import { AdminNav } from './admin/AdminNav.tsx';
import { adminPagesFor } from './admin/adminAccess.ts';

export function Shell({ tenant, collection, adminPage, children }: { tenant?: string; collection?: string; adminPage?: string; children: ReactNode }) {
  const s = useSession();
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // Not on the first render: the browser's own focus handling is right for a fresh page load.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  const who = s.me.kind === 'root' ? 'Root token (operator)' : 'Signed in';
  const current = tenant ?? s.tenants[0]?.slug;
  // The same kind of page in the other tenant: an admin page stays (its list, as an item belongs to one
  // tenant) when the caller may use it there; otherwise the collection, or the first one.
  const switchTenant = (slug: string) => {
    const inTenant = `/t/${encodeURIComponent(slug)}`;
    if (adminPage && adminPagesFor(s.me, slug).some((p) => p === adminPage)) navigate(`${inTenant}/-/${adminPage}`);
    else navigate(`${inTenant}/${collection && s.spec.collections[collection] ? collection : Object.keys(s.spec.collections)[0]}`);
  };

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">{s.spec.title ?? s.spec.name}</span>
        {s.spec.tenancy === 'multi' && s.tenants.length > 0 && (
          // Labelled by id, not by wrapping: a wrapping label's name would take in every option's text.
          <div className="tenant">
            <label htmlFor="tenant-switch">Tenant</label>
            <select id="tenant-switch" value={current} onChange={(e) => switchTenant(e.target.value)}>
              {s.tenants.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
              {current && !s.tenants.some((t) => t.slug === current) && <option value={current}>{current}</option>}
            </select>
          </div>
        )}
        {s.me.kind === 'root' && (
          <Link to="/builder" className="builder-link" aria-current={path === '/builder' ? 'page' : undefined}>
            Builder
          </Link>
        )}
        <span className="who">{who}</span>
        {s.me.kind === 'user' && (
          <Link to="/account" className="account-link" aria-current={path === '/account' ? 'page' : undefined}>
            Account
          </Link>
        )}
        <button type="button" className="link-button" onClick={() => void s.signOut()}>
          Sign out
        </button>
      </header>
      {current && (
        <nav className="collections" aria-label="Collections">
          <ul>
            {Object.entries(s.spec.collections).map(([name, c]) => (
              <li key={name}>
                <Link to={`/t/${encodeURIComponent(current)}/${name}`} aria-current={name === collection ? 'page' : undefined}>
                  {collectionLabel(name, c)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {current && <AdminNav tenant={current} page={adminPage} />}
      <main id="main" ref={main}>
        {children}
      </main>
    </div>
  );
}
