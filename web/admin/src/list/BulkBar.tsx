// Actions on the rows chosen in a list: the workflow transitions the caller's roles may take and
// delete (after a confirmation), sent one item at a time through the ordinary item endpoints; the
// API has the last word on each, and the failures are listed with what the server said.
import { useEffect, useRef, useState } from 'react';
import { api, collectionPath, message } from '../api.ts';
import { rolesIn, useSession } from '../session.tsx';
import { collectionLabel, humanize, transitionsFrom, type Workflow } from '../spec.ts';
import { mayDelete, transitionsFor } from './caller-rights.ts';

export type Row = { id: string; title: string; state?: string };
type Action = { key: string; label: string; done: string; failed: string; eligible: (r: Row) => string | undefined; run: (r: Row) => Promise<unknown> };
type Report = { kind: 'ok' | 'error'; text: string; failures: string[] };

const CONCURRENCY = 3;

function naming(w: Workflow, to: string): Pick<Action, 'label' | 'done' | 'failed'> {
  if (to === w.publish) return { label: 'Publish', done: 'published', failed: 'published' };
  if (to === 'in_review') return { label: 'Send to review', done: 'sent to review', failed: 'sent to review' };
  const state = humanize(to).toLowerCase();
  return { label: `Move to ${state}`, done: `moved to ${state}`, failed: `moved to ${state}` };
}

/** Runs `run` over the rows, a few at a time; resolves with each row's error message (undefined: done). */
async function each(rows: Row[], run: (r: Row) => Promise<unknown>, progress: (n: number) => void): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = new Array(rows.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      try {
        await run(rows[i]);
      } catch (e) {
        out[i] = message(e);
      }
      progress(++finished);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
  return out;
}

type Props = {
  tenant: string;
  collection: string;
  loaded: Row[];
  selected: ReadonlySet<string>;
  onSelect: (ids: Set<string>) => void;
  /** After an action: the ids it changed; the list reloads. */
  onDone: (changed: string[]) => void;
};

export function BulkBar(p: Props) {
  const s = useSession();
  const c = s.spec.collections[p.collection];
  const w = c.workflow;
  const roles = rolesIn(s.me, p.tenant);
  const path = collectionPath(p.tenant, p.collection);
  const [busy, setBusy] = useState<{ label: string; done: number; total: number } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [confirming, setConfirming] = useState(false);
  const all = useRef<HTMLInputElement>(null);
  const reportRef = useRef<HTMLDivElement>(null);

  const rows = p.loaded.filter((r) => p.selected.has(r.id));
  const noun = collectionLabel(p.collection, c).toLowerCase();
  const actions: Action[] = [];
  if (w) {
    const seen = new Set<string>();
    for (const t of transitionsFor(s, p.tenant, p.collection)) {
      if (seen.has(t.to)) continue;
      seen.add(t.to);
      actions.push({
        key: `to-${t.to}`,
        ...naming(w, t.to),
        eligible: (r) => (r.state && transitionsFrom(w, r.state, roles).some((x) => x.to === t.to) ? undefined : `${humanize(r.state ?? 'unknown')} items cannot be ${naming(w, t.to).failed} by you`),
        run: (r) => api(`${path}/${encodeURIComponent(r.id)}/transition`, { body: { to: t.to } }),
      });
    }
  }
  const deletable = mayDelete(s, p.tenant, p.collection);
  const del: Action = { key: 'delete', label: 'Delete', done: 'deleted', failed: 'deleted', eligible: () => undefined, run: (r) => api(`${path}/${encodeURIComponent(r.id)}`, { method: 'DELETE' }) };

  const allLoaded = p.loaded.length > 0 && p.loaded.every((r) => p.selected.has(r.id));
  const some = rows.length > 0 && !allLoaded;
  useEffect(() => {
    if (all.current) all.current.indeterminate = some;
  }, [some]);

  const start = async (a: Action) => {
    setConfirming(false);
    setReport(null);
    const chosen = rows;
    const skipped = chosen.map((r) => [r, a.eligible(r)] as const).filter(([, why]) => why);
    const todo = chosen.filter((r) => !a.eligible(r));
    setBusy({ label: a.label, done: 0, total: todo.length });
    const errors = await each(todo, a.run, (n) => setBusy({ label: a.label, done: n, total: todo.length }));
    const failures = [...skipped.map(([r, why]) => `“${r.title}”: ${why}`), ...todo.flatMap((r, i) => (errors[i] ? [`“${r.title}”: ${errors[i]}`] : []))];
    const changed = todo.filter((_, i) => !errors[i]).map((r) => r.id);
    setBusy(null);
    const count = (n: number) => `${n} ${n === 1 ? noun.replace(/s$/, '') : noun}`;
    setReport(
      failures.length
        ? { kind: 'error', text: `${failures.length} of ${chosen.length} could not be ${a.failed}${changed.length ? ` (${count(changed.length)} ${a.done})` : ''}:`, failures }
        : { kind: 'ok', text: `${count(changed.length)} ${a.done}.`, failures: [] },
    );
    p.onDone(changed);
    // The button pressed may be gone with the selection; keyboard users continue from the outcome.
    requestAnimationFrame(() => reportRef.current?.focus());
  };

  const offered = actions.filter((a) => rows.some((r) => !a.eligible(r)));
  return (
    <div className="bulk" aria-label="Bulk actions" role="group">
      <div className="bulk-bar">
        <label className="check">
          <input ref={all} type="checkbox" checked={allLoaded} disabled={p.loaded.length === 0 || Boolean(busy)} onChange={() => p.onSelect(allLoaded ? new Set() : new Set(p.loaded.map((r) => r.id)))} />
          Select all loaded
        </label>
        <span className="bulk-count">{rows.length} selected</span>
        {rows.length > 0 && (
          <>
            {offered.map((a) => (
              <button key={a.key} type="button" className={a.key === `to-${w?.publish}` ? 'primary' : undefined} disabled={Boolean(busy)} onClick={() => void start(a)}>
                {a.label}
              </button>
            ))}
            {deletable && (
              <button type="button" className="danger" disabled={Boolean(busy)} onClick={() => setConfirming(true)}>
                Delete…
              </button>
            )}
            <button type="button" className="link-button" disabled={Boolean(busy)} onClick={() => p.onSelect(new Set())}>
              Clear selection
            </button>
          </>
        )}
      </div>
      <div className="bulk-report" ref={reportRef} tabIndex={-1}>
        {busy && (
          <p role="status">
            {busy.label}: {busy.done} of {busy.total} done…
          </p>
        )}
        {report?.kind === 'ok' && <p role="status" className="notice notice-ok">{report.text}</p>}
        {report?.kind === 'error' && (
          <div role="alert" className="notice notice-error">
            <p>{report.text}</p>
            <ul>
              {report.failures.map((f, i) => (
                <li key={i}>{f}</li>
              ))}
            </ul>
            <button type="button" className="link-button" onClick={() => setReport(null)}>
              Dismiss
            </button>
          </div>
        )}
      </div>
      {confirming && <ConfirmDelete rows={rows} noun={noun} onCancel={() => setConfirming(false)} onConfirm={() => void start(del)} />}
    </div>
  );
}

function ConfirmDelete({ rows, noun, onCancel, onConfirm }: { rows: Row[]; noun: string; onCancel: () => void; onConfirm: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const what = rows.length === 1 ? `“${rows[0].title}”` : `${rows.length} ${noun}`;
  const shown = rows.slice(0, 5);
  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby="confirm-delete-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-delete-title">Delete {what}?</h2>
      {rows.length > 1 && (
        <ul>
          {shown.map((r) => (
            <li key={r.id}>{r.title}</li>
          ))}
          {rows.length > shown.length && <li>and {rows.length - shown.length} more</li>}
        </ul>
      )}
      <p>Deleted items disappear from the list and the API. This cannot be undone here.</p>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm}>
          Delete {what}
        </button>
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
