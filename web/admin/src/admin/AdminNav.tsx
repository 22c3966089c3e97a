// The tenant's admin pages, in the shell's navigation.
import { Link } from '../router.tsx';

export const ADMIN_PAGES = [
  ['members', 'Members'],
  ['api-keys', 'API keys'],
  ['webhooks', 'Webhooks'],
  ['audit', 'Audit log'],
] as const;

export function AdminNav({ tenant, page }: { tenant: string; page?: string }) {
  return (
    <nav className="admin-nav" aria-label="Administration">
      <ul>
        {ADMIN_PAGES.map(([slug, label]) => (
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
