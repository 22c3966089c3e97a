// The frame of an admin page: its heading, and instead of the page a clear "not allowed" for callers
// who may not use it (the server would refuse them too; this says so before asking).
import type { ReactNode } from 'react';
import { useSession } from '../session.tsx';
import { adminPagesFor, type AdminPage } from './adminAccess.ts';

export function NotAllowed({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title" tabIndex={-1}>
        {title}
      </h1>
      <div className="notice notice-error" role="alert">
        <p>
          <strong>Not allowed.</strong> {children ?? 'You do not have permission to use this page. Ask an admin of this tenant or the operator if you need it.'}
        </p>
      </div>
    </section>
  );
}

export function AdminGate({ tenant, page, title, children }: { tenant: string; page: AdminPage; title: string; children: ReactNode }) {
  const s = useSession();
  if (!adminPagesFor(s.me, tenant).includes(page)) {
    const rootOnly = page === 'api-keys' || page === 'webhooks';
    return <NotAllowed title={title}>{rootOnly ? `Only the operator, signed in with the root token, manages ${title.toLowerCase()}.` : `Only admins of ${tenant} and the operator may use this page.`}</NotAllowed>;
  }
  return <>{children}</>;
}
