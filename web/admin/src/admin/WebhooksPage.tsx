// A tenant's webhook subscriptions (root token only): the list with create, change, stop/resume,
// secret rotation (the new secret shown once) and delete; and one subscription's delivery log at
// /-/webhooks/:id, newest first, refreshed while the page is open, with "Load more" for older ones.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, isAbort, message, query } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { collectionLabel, humanize } from '../spec.ts';
import { AdminGate, NotAllowed } from './AdminGate.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { useResource } from './useResource.ts';
import { WebhookForm, type Subscription } from './WebhookForm.tsx';

type Delivery = { messageId: string; event: string; attempt: number; status: 'succeeded' | 'failed' | 'skipped'; statusCode: number | null; durationMs: number | null; error: string | null; at: string; nextAttemptAt: string | null };

const REFRESH_MS = 5000;
const PAGE = 25;

export function WebhooksPage({ tenant, id }: { tenant: string; id?: string }) {
  return (
    <AdminGate tenant={tenant} page="webhooks" title="Webhooks">
      {id ? <WebhookDetail key={id} tenant={tenant} id={id} /> : <Webhooks tenant={tenant} />}
    </AdminGate>
  );
}

const listBase = (tenant: string) => `/api/t/${encodeURIComponent(tenant)}/webhooks`;
const pageBase = (tenant: string) => `/t/${encodeURIComponent(tenant)}/-/webhooks`;

function Webhooks({ tenant }: { tenant: string }) {
  const base = listBase(tenant);
  const subs = useResource<{ data: Subscription[]; meta?: { events?: string[] } }>(base);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (subs.status === 403) return <NotAllowed title="Webhooks" />;
  const events = subs.data?.meta?.events ?? [];

  return (
    <section aria-labelledby="admin-title" className="admin-page">
      <h1 id="admin-title" tabIndex={-1}>
        Webhooks
      </h1>
      <p className="hint">Kiln sends each change of {tenant}’s content to these URLs.</p>
      <div className="admin-feedback" aria-live="polite">
        {done && <p className="notice notice-ok">{done}</p>}
      </div>
      {secret && <SecretOnce label={secret.label} secret={secret.value} onDone={() => setSecret(null)} />}
      {subs.error && !subs.data ? (
        <Notice kind="error" retry={subs.reload}>
          Could not load the webhooks: {subs.error}
        </Notice>
      ) : !subs.data ? (
        <Notice kind="loading">Loading webhooks…</Notice>
      ) : subs.data.data.length === 0 ? (
        <p>No webhooks yet.</p>
      ) : (
        <ul className="webhook-list" aria-label="Webhooks" aria-busy={subs.loading}>
          {subs.data.data.map((s) => (
            <li key={s.id} className="webhook">
              <WebhookSummary sub={s} tenant={tenant} link />
              <WebhookActions
                sub={s}
                tenant={tenant}
                events={events}
                onChanged={(text) => {
                  setDone(text);
                  subs.reload();
                }}
                onSecret={(value) => setSecret({ label: `The new signing secret for ${s.url}`, value })}
                onDeleted={() => {
                  setDone(`The webhook to ${s.url} was deleted.`);
                  subs.reload();
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {subs.data && (
        <WebhookForm
          base={base}
          events={events}
          onSaved={(s) => {
            setDone(`The webhook to ${s.url} was created.`);
            if (s.secret) setSecret({ label: `The signing secret for ${s.url}`, value: s.secret });
            subs.reload();
          }}
        />
      )}
    </section>
  );
}

function WebhookSummary({ sub, tenant, link }: { sub: Subscription; tenant: string; link?: boolean }) {
  const s = useSession();
  const list = (v: string[] | null, name: (x: string) => string, all: string) => (v ? v.map(name).join(', ') : all);
  return (
    <div className="webhook-summary">
      <p className="webhook-url mono">{link ? <Link to={`${pageBase(tenant)}/${sub.id}`} aria-label={`Deliveries to ${sub.url}`}>{sub.url}</Link> : sub.url}</p>
      <p>
        <span className={`state ${sub.enabled ? 'state-published' : 'state-stopped'}`}>{sub.enabled ? 'Enabled' : 'Stopped'}</span>
        {!sub.enabled && sub.disabledReason && <span className="hint"> {sub.disabledReason}</span>}
        {sub.enabled && sub.consecutiveFailures > 0 && <span className="hint"> {sub.consecutiveFailures} failed in a row</span>}
      </p>
      <dl className="facts">
        <dt>Events</dt>
        <dd>{list(sub.events, humanize, 'All events')}</dd>
        <dt>Collections</dt>
        <dd>{list(sub.collections, (c) => (s.spec.collections[c] ? collectionLabel(c, s.spec.collections[c]) : c), 'All collections')}</dd>
        {sub.role && (
          <>
            <dt>Payloads as</dt>
            <dd>{humanize(sub.role)}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

function WebhookActions({ sub, tenant, events, onChanged, onSecret, onDeleted }: { sub: Subscription; tenant: string; events: string[]; onChanged: (text: string) => void; onSecret: (secret: string) => void; onDeleted: () => void }) {
  const base = listBase(tenant);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  if (editing) {
    return (
      <WebhookForm
        base={base}
        events={events}
        existing={sub}
        onCancel={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          onChanged(`The webhook to ${sub.url} was saved.`);
        }}
      />
    );
  }
  return (
    <div className="webhook-actions">
      <div className="actions">
        <button type="button" onClick={() => setEditing(true)} aria-label={`Edit the webhook to ${sub.url}`}>
          Edit
        </button>
        {sub.enabled ? (
          <ConfirmButton
            label="Disable"
            danger={false}
            busy={busy}
            question="Stop sending? Changes made while stopped are not sent later."
            confirmLabel="Disable webhook"
            onConfirm={() => void run(async () => { await api(`${base}/${sub.id}/disable`, { method: 'POST' }); onChanged(`The webhook to ${sub.url} was stopped.`); })}
          />
        ) : (
          <button type="button" disabled={busy} onClick={() => void run(async () => { await api(`${base}/${sub.id}/enable`, { method: 'POST' }); onChanged(`The webhook to ${sub.url} was enabled.`); })}>
            Enable
          </button>
        )}
        <ConfirmButton
          label="Rotate secret"
          danger={false}
          busy={busy}
          question="Make a new signing secret? The old one keeps signing for 24 hours."
          confirmLabel="Rotate secret"
          onConfirm={() => void run(async () => { const r = await api<{ data: { secret: string } }>(`${base}/${sub.id}/rotate-secret`, { method: 'POST' }); onSecret(r.data.secret); onChanged(`The secret of the webhook to ${sub.url} was rotated.`); })}
        />
        <ConfirmButton
          label="Delete"
          busy={busy}
          question={`Delete the webhook to ${sub.url} and its delivery log?`}
          confirmLabel="Delete webhook"
          onConfirm={() => void run(async () => { await api(`${base}/${sub.id}`, { method: 'DELETE' }); onDeleted(); })}
        />
      </div>
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}

function WebhookDetail({ tenant, id }: { tenant: string; id: string }) {
  const base = listBase(tenant);
  const sub = useResource<{ data: Subscription }>(`${base}/${id}`);
  const list = useResource<{ data: Subscription[]; meta?: { events?: string[] } }>(base);
  const [secret, setSecret] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (sub.status === 403) return <NotAllowed title="Webhooks" />;
  return (
    <section aria-labelledby="admin-title" className="admin-page">
      <p className="crumbs">
        <Link to={pageBase(tenant)}>Webhooks</Link> ›
      </p>
      <h1 id="admin-title" tabIndex={-1}>
        Webhook deliveries
      </h1>
      <div className="admin-feedback" aria-live="polite">
        {done && <p className="notice notice-ok">{done}</p>}
      </div>
      {secret && <SecretOnce label="The new signing secret" secret={secret} onDone={() => setSecret(null)} />}
      {sub.error && !sub.data ? (
        <Notice kind="error" retry={sub.status === 404 ? undefined : sub.reload}>
          {sub.status === 404 ? 'There is no such webhook in this tenant. It may have been deleted.' : `Could not load the webhook: ${sub.error}`}
        </Notice>
      ) : !sub.data ? (
        <Notice kind="loading">Loading the webhook…</Notice>
      ) : (
        <>
          <div className="webhook">
            <WebhookSummary sub={sub.data.data} tenant={tenant} />
            <WebhookActions
              sub={sub.data.data}
              tenant={tenant}
              events={list.data?.meta?.events ?? []}
              onChanged={(text) => {
                setDone(text);
                sub.reload();
              }}
              onSecret={setSecret}
              onDeleted={() => navigate(pageBase(tenant))}
            />
          </div>
          <DeliveryLog path={`${base}/${id}/deliveries`} />
        </>
      )}
    </section>
  );
}

function DeliveryLog({ path }: { path: string }) {
  const [rows, setRows] = useState<Delivery[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pages, setPages] = useState(1);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  const abort = useRef<AbortController | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      abort.current?.abort();
      const ctl = new AbortController();
      abort.current = ctl;
      setLoading(true);
      try {
        const r = await api<{ data: Delivery[]; meta: { next_cursor: string | null } }>(path + query({ limit: PAGE, cursor: after ?? undefined }), { signal: ctl.signal });
        setRows((prev) => (after ? [...prev, ...r.data] : r.data));
        setCursor(r.meta.next_cursor);
        setPages((p) => (after ? p + 1 : 1));
        setError(null);
        setCheckedAt(new Date());
      } catch (e) {
        if (!isAbort(e)) setError(message(e));
      } finally {
        if (abort.current === ctl) setLoading(false);
      }
    },
    [path],
  );
  useEffect(() => {
    void load(null);
    return () => abort.current?.abort();
  }, [load]);
  // New deliveries arrive while the page is open; the newest page is fetched again now and then,
  // unless older pages were loaded (the reader is looking further back then).
  useEffect(() => {
    if (pages > 1) return;
    const t = setInterval(() => void load(null), REFRESH_MS);
    return () => clearInterval(t);
  }, [load, pages]);

  return (
    <section aria-labelledby="log-title" className="delivery-log">
      <div className="page-head">
        <h2 id="log-title">Delivery log</h2>
        <button type="button" onClick={() => void load(null)} disabled={loading}>
          Refresh
        </button>
      </div>
      {error && (
        <Notice kind="error" retry={() => void load(rows.length ? cursor : null)}>
          Could not load the deliveries: {error}
        </Notice>
      )}
      {/* Focusable so that a keyboard can scroll it on a phone. */}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Deliveries, scrollable">
        <table className="admin-table" aria-label="Deliveries" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Response</th>
              <th scope="col">Attempt</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d, i) => (
              <tr key={`${d.messageId}-${d.attempt}-${i}`}>
                <td>{new Date(d.at).toLocaleString()}</td>
                <td className="mono">{d.event}</td>
                <td>
                  <span className={`state state-${d.status}`}>{humanize(d.status)}</span>
                </td>
                <td title={d.error ?? undefined}>
                  {d.statusCode ?? '—'}
                  {d.durationMs !== null && <span className="hint"> in {d.durationMs} ms</span>}
                  {d.error && <span className="hint"> {d.error}</span>}
                </td>
                <td>{d.attempt}</td>
                <td>{d.nextAttemptAt ? new Date(d.nextAttemptAt).toLocaleString() : '—'}</td>
              </tr>
            ))}
            {loading && rows.length === 0 &&
              Array.from({ length: 4 }, (_, i) => (
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
        {rows.length === 0 && !loading && !error ? 'Nothing delivered yet. Deliveries appear here as content changes.' : `${rows.length} shown${cursor ? ', more available' : ''}.`}
      </p>
      {/* Outside the status line: a screen reader need not hear the clock every few seconds. */}
      <p className="hint">{checkedAt ? `Checked ${checkedAt.toLocaleTimeString()}${pages === 1 ? '; refreshed every few seconds' : ''}.` : '\u00a0'}</p>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)} disabled={loading}>
          Load more
        </button>
      )}
    </section>
  );
}
