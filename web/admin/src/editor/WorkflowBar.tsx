// The item's workflow state and a button per transition the caller's roles may take from it (from
// the spec). The API has the last word: a 403 or 409 shows its message, which names what is allowed.
// Publishing can also be scheduled for a time; pending schedules are listed and can be cancelled.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, collectionPath, message } from '../api.ts';
import { rolesIn, useSession } from '../session.tsx';
import { humanize, transitionsFrom, type Workflow } from '../spec.ts';
import { localZone } from './time-zone.ts';

type Props = { tenant: string; collection: string; id: string; workflow: Workflow; state: string; dirty: boolean; onChanged: (note: string) => Promise<void> };

type Schedule = { id: string; to: string; at: string; status: 'pending' | 'done' | 'cancelled' | 'failed'; error: string | null };

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function WorkflowBar(p: Props) {
  const s = useSession();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const roles = rolesIn(s.me, p.tenant);
  const open = transitionsFrom(p.workflow, p.state, roles);
  const name = (to: string) => (to === p.workflow.publish ? (p.state === to ? 'Publish changes' : 'Publish') : to === 'in_review' ? 'Send to review' : `Move to ${humanize(to).toLowerCase()}`);
  const itemPath = `${collectionPath(p.tenant, p.collection)}/${encodeURIComponent(p.id)}`;
  // The server lets a role schedule a publish when some state may be published by it.
  const mayPublish = p.workflow.transitions.some((t) => t.to === p.workflow.publish && (roles === 'all' || t.roles.some((r) => roles.includes(r))));

  const go = async (to: string) => {
    setBusy(to);
    setError('');
    try {
      await api(`${itemPath}/transition`, { body: { to } });
      await p.onChanged(`Now ${humanize(to).toLowerCase()}.`);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy('');
    }
  };

  return (
    <section className="workflow" aria-label="Workflow">
      <p>
        Status: <strong className={`state state-${p.state}`}>{humanize(p.state)}</strong>
        {p.state === p.workflow.publish ? ' — readers see this version.' : ''}
      </p>
      <div className="workflow-buttons">
        {open.length === 0 && <span className="hint">No transitions are open to you from here.</span>}
        {open.map((t) => (
          <button key={t.to} type="button" className={t.to === p.workflow.publish ? 'primary' : undefined} disabled={Boolean(busy) || p.dirty} onClick={() => void go(t.to)}>
            {busy === t.to ? 'Working…' : name(t.to)}
          </button>
        ))}
      </div>
      {p.dirty && open.length > 0 && <p className="hint">Save your changes first.</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {mayPublish && <Schedules itemPath={itemPath} publish={p.workflow.publish} state={p.state} dirty={p.dirty} />}
    </section>
  );
}

function Schedules({ itemPath, publish, state, dirty }: { itemPath: string; publish: string; state: string; dirty: boolean }) {
  const [list, setList] = useState<Schedule[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const [picking, setPicking] = useState(false);
  const [at, setAt] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
  const [note, setNote] = useState('');

  const load = useCallback(async () => {
    setLoadError('');
    try {
      setList((await api<{ data: Schedule[] }>(`${itemPath}/schedule`)).data);
    } catch (e) {
      setLoadError(message(e));
    }
  }, [itemPath]);
  // A schedule that ran changes the state; the list follows.
  useEffect(() => void load(), [load, state]);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const d = new Date(at);
    if (!at || Number.isNaN(d.getTime())) return setError('Choose a date and time.');
    setBusy('new');
    setError('');
    setNote('');
    try {
      await api(`${itemPath}/schedule`, { body: { to: publish, at: d.toISOString() } });
      setPicking(false);
      setAt('');
      await load();
      setNote(`Publishing scheduled for ${when(d.toISOString())}.`);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy('');
    }
  };

  const cancel = async (sc: Schedule) => {
    setBusy(sc.id);
    setError('');
    setNote('');
    try {
      await api(`${itemPath}/schedule/${encodeURIComponent(sc.id)}`, { method: 'DELETE' });
      await load();
      setNote('Scheduled publishing cancelled.');
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy('');
    }
  };

  const pending = (list ?? []).filter((x) => x.status === 'pending');
  const failed = (list ?? []).filter((x) => x.status === 'failed').slice(-1);
  const past = at && new Date(at).getTime() < Date.now();
  return (
    <div className="schedules">
      {loadError && (
        <p className="field-error" role="alert">
          Could not load schedules: {loadError}{' '}
          <button type="button" onClick={() => void load()}>
            Try again
          </button>
        </p>
      )}
      {pending.length > 0 && (
        <ul aria-label="Scheduled" className="schedule-list">
          {pending.map((x) => (
            <li key={x.id}>
              <span>
                {humanize(x.to)} on <time dateTime={x.at}>{when(x.at)}</time>
              </span>
              <button type="button" onClick={() => void cancel(x)} disabled={Boolean(busy)} aria-label={`Cancel scheduled ${humanize(x.to).toLowerCase()} on ${when(x.at)}`}>
                {busy === x.id ? 'Cancelling…' : 'Cancel'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {failed.map((x) => (
        <p key={x.id} className="hint">
          A schedule for {when(x.at)} did not run: {x.error}
        </p>
      ))}
      {!picking ? (
        <button type="button" onClick={() => setPicking(true)} disabled={dirty}>
          Schedule…
        </button>
      ) : (
        <form className="schedule-form" onSubmit={submit} aria-label="Schedule publishing" noValidate>
          <label htmlFor="schedule-at">Publish at</label>
          <input id="schedule-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} aria-describedby="schedule-at-hint" autoFocus />
          <small id="schedule-at-hint">
            In your time zone, {localZone()}.{past ? ' That time has passed: it publishes as soon as the scheduler runs.' : ''}
          </small>
          <div className="workflow-buttons">
            <button type="submit" className="primary" disabled={Boolean(busy)}>
              {busy === 'new' ? 'Scheduling…' : 'Schedule publish'}
            </button>
            <button type="button" onClick={() => setPicking(false)}>
              Close
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <p role="status" className="hint">
        {note}
      </p>
    </div>
  );
}
