// The tenant's admin pages in the shell's navigation: only those the signed-in caller may use, and
// none at all for people who administer nothing here.
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ADMIN_PAGES, adminPagesFor } from './adminAccess.ts';

export function AdminNav({ tenant, page }: { tenant: string; page?: string }) {
  const s = useSession();
  const allowed = adminPagesFor(s.me, tenant);
  if (allowed.length === 0) return null;
  return (
    <nav className="admin-nav" aria-label="Administration">
      <ul>
        {ADMIN_PAGES.filter(([slug]) => allowed.includes(slug)).map(([slug, label]) => (
          <li key={slug}>
            <Link to={`/t/${encodeURIComponent(tenant)}/-/${slug}`} aria-current={slug === page ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
