// The item's workflow state and a button per transition the caller's roles may take from it (from
// the spec). The API has the last word: a 403 or 409 shows its message, which names what is allowed.
import { useState } from 'react';
import { api, collectionPath, message } from '../api.ts';
import { rolesIn, useSession } from '../session.tsx';
import { humanize, transitionsFrom, type Workflow } from '../spec.ts';

type Props = { tenant: string; collection: string; id: string; workflow: Workflow; state: string; dirty: boolean; onChanged: (note: string) => Promise<void> };

export function WorkflowBar(p: Props) {
  const s = useSession();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const open = transitionsFrom(p.workflow, p.state, rolesIn(s.me, p.tenant));
  const name = (to: string) => (to === p.workflow.publish ? (p.state === to ? 'Publish changes' : 'Publish') : to === 'in_review' ? 'Send to review' : `Move to ${humanize(to).toLowerCase()}`);

  const go = async (to: string) => {
    setBusy(to);
    setError('');
    try {
      await api(`${collectionPath(p.tenant, p.collection)}/${encodeURIComponent(p.id)}/transition`, { body: { to } });
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
    </section>
  );
}
