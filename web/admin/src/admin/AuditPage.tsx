// A tenant's audit log (root and the tenant's admins): newest first, filtered by kind and by the
// person an event is about, with "Load more" continuing after the last row. The operator may widen
// it to the whole app, where sign-ins are (they belong to no tenant). Rows have a fixed height and
// placeholder rows stand in while a page loads, so nothing jumps.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort, message, query } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { useSession } from '../session.tsx';
import { AdminGate, NotAllowed } from './AdminGate.tsx';
import { useResource } from './useResource.ts';

type Entry = { id: string; at: string; kind: string; tenant: string | null; actor: string | null; user: string | null; ip: string | null; userAgent: string | null; details: Record<string, unknown> };
type Member = { userId: string; email: string; name: string };

const PAGE = 50;

/** The kinds of event Kiln records, grouped as people think of them. */
const KINDS: [string, string[]][] = [
  ['Sign-in', ['sign_in.success', 'sign_in.failure', 'sign_in.mfa_required', 'sign_out', 'sessions.revoked']],
  ['Members and roles', ['member.added', 'member.roles_changed', 'member.removed', 'invitation.sent', 'invitation.accepted', 'invitation.canceled']],
  ['API keys', ['api_key.created', 'api_key.revoked']],
  ['Two-factor', ['mfa.enrolled', 'mfa.verified', 'mfa.failed', 'mfa.disabled']],
  ['Password and email', ['password.changed', 'password.change_failed', 'password.reset_requested', 'password.reset', 'email.change_requested', 'email.verified', 'email.changed']],
  ['OAuth tokens', ['token.issued', 'token.refreshed', 'token.refresh_reuse', 'token.revoked']],
];

const kindLabel = (k: string) => k.replace(/[._]/g, ' ');

export function AuditPage({ tenant }: { tenant: string }) {
  return (
    <AdminGate tenant={tenant} page="audit" title="Audit log">
      <Audit tenant={tenant} />
    </AdminGate>
  );
}

function Audit({ tenant }: { tenant: string }) {
  const s = useSession();
  const root = s.me.kind === 'root';
  const members = useResource<{ data: Member[] }>(`/api/tenants/${encodeURIComponent(tenant)}/members`);
  const [kind, setKind] = useState('');
  const [user, setUser] = useState('');
  const [scope, setScope] = useState<'tenant' | 'app'>('tenant');
  const [rows, setRows] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const abort = useRef<AbortController | null>(null);

  const path = scope === 'app' ? '/api/audit' : `/api/tenants/${encodeURIComponent(tenant)}/audit`;
  const load = useCallback(
    async (cursor: string | null) => {
      abort.current?.abort();
      const ctl = new AbortController();
      abort.current = ctl;
      setLoading(true);
      setError(null);
      if (!cursor) setRows([]);
      try {
        const r = await api<{ data: Entry[]; meta: { next: string | null } }>(path + query({ limit: PAGE, kind: kind || undefined, user: user || undefined, cursor: cursor ?? undefined }), { signal: ctl.signal });
        setRows((prev) => (cursor ? [...prev, ...r.data] : r.data));
        setNext(r.meta.next);
      } catch (e) {
        if (isAbort(e)) return;
        setError(message(e));
        setStatus(e instanceof ApiError ? e.status : null);
      }
      setLoading(false);
    },
    [path, kind, user],
  );
  useEffect(() => {
    void load(null);
    return () => abort.current?.abort();
  }, [load]);

  if (status === 403) return <NotAllowed title="Audit log" />;

  const people = new Map((members.data?.data ?? []).map((m) => [m.userId, m.email || m.name]));
  const who = (id: string | null) => {
    if (id === null) return '—';
    if (id === 'root') return 'Root token';
    if (id.startsWith('key:')) return `API key ${id.slice(4, 12)}…`;
    return people.get(id) ?? id;
  };

  return (
    <section aria-labelledby="admin-title" className="admin-page">
      <h1 id="admin-title" tabIndex={-1}>
        Audit log
      </h1>
      <p className="hint">Security events of {scope === 'app' ? 'the whole app' : tenant}, newest first.</p>
      <div className="audit-filters" role="search" aria-label="Filter the audit log">
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">All kinds</option>
            {KINDS.map(([group, kinds]) => (
              <optgroup key={group} label={group}>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {kindLabel(k)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label className="field">
          <span>About person</span>
          <select value={user} onChange={(e) => setUser(e.target.value)} disabled={!members.data}>
            <option value="">Anyone</option>
            {(members.data?.data ?? []).map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.email}
              </option>
            ))}
          </select>
        </label>
        {root && (
          <label className="field">
            <span>Events of</span>
            <select value={scope} onChange={(e) => setScope(e.target.value as 'tenant' | 'app')}>
              <option value="tenant">This tenant</option>
              <option value="app">The whole app (sign-ins included)</option>
            </select>
          </label>
        )}
      </div>
      {!root && <p className="hint">Sign-ins belong to no tenant; the operator reads them in the whole app’s log.</p>}
      {error && (
        <Notice kind="error" retry={() => void load(rows.length ? next : null)}>
          Could not load the audit log: {error}
        </Notice>
      )}
      {/* Focusable so that a keyboard can scroll it on a phone. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit events, scrollable">
        <table className="admin-table audit-table" aria-label="Audit events" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">By</th>
              <th scope="col">About</th>
              <th scope="col">IP</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td className="mono">{e.kind}</td>
                <td>{who(e.actor)}</td>
                <td>{who(e.user)}</td>
                <td className="mono">{e.ip ?? '—'}</td>
                <td title={JSON.stringify(e.details)}>{details(e, scope === 'app')}</td>
              </tr>
            ))}
            {loading &&
              Array.from({ length: rows.length ? 3 : 8 }, (_, i) => (
                <tr key={`skeleton-${i}`} className="skeleton" aria-hidden="true">
                  {Array.from({ length: 6 }, (_, j) => (
                    <td key={j}>
                      <span />
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <p className="hint" role="status">
        {loading ? 'Loading…' : rows.length === 0 && !error ? 'No events match.' : `${rows.length} shown${next ? ', more available' : ''}.`}
      </p>
      {next && !loading && (
        <button type="button" onClick={() => void load(next)}>
          Load more
        </button>
      )}
    </section>
  );
}

function details(e: Entry, withTenant: boolean): string {
  const parts = Object.entries(e.details).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  if (withTenant && e.tenant) parts.unshift(`tenant: ${e.tenant}`);
  return parts.join(' · ') || '—';
}
