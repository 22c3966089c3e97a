// Every revision of the item, newest first, with who made it and when; any earlier one can be made
// current again (a restore is itself a new revision), or compared with the current version.
import { useCallback, useEffect, useState } from 'react';
import { api, collectionPath, message } from '../api.ts';
import { humanize, type Collection } from '../spec.ts';
import { RevisionDiff } from './RevisionDiff.tsx';

type Revision = { revision: number; type: string; actor: string; at: string };

type Props = { tenant: string; collection: string; spec: Collection; id: string; version: number; onRestored: (note: string) => Promise<void> };

function actorName(a: string): string {
  if (a === 'root') return 'root token';
  if (a.startsWith('user:')) return 'a user';
  if (a.startsWith('key:')) return 'an API key';
  return a;
}

export function Revisions(p: Props) {
  const [list, setList] = useState<Revision[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(0);
  const [comparing, setComparing] = useState(0);
  const itemPath = `${collectionPath(p.tenant, p.collection)}/${encodeURIComponent(p.id)}`;
  const path = `${itemPath}/revisions`;

  const load = useCallback(async () => {
    setError('');
    try {
      const r = await api<{ data: Revision[] }>(path);
      setList([...r.data].reverse());
    } catch (e) {
      setError(message(e));
    }
  }, [path]);
  useEffect(() => void load(), [load, p.version]);

  const restore = async (rev: number) => {
    setBusy(rev);
    setError('');
    try {
      await api(`${path}/${rev}/restore`, { method: 'POST', body: {} });
      setComparing(0);
      await p.onRestored(`Restored revision ${rev}.`);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(0);
    }
  };

  const latest = list?.[0]?.revision;
  return (
    <aside className="revisions" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revisions</h2>
      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
          <button type="button" onClick={() => void load()}>
            Try again
          </button>
        </div>
      )}
      {!list && !error && <p role="status">Loading…</p>}
      {comparing !== 0 && latest !== undefined && <RevisionDiff path={itemPath} collection={p.spec} from={comparing} to={latest} onClose={() => setComparing(0)} />}
      {list && (
        <ol>
          {list.map((r) => (
            <li key={r.revision}>
              <span className="rev-head">
                <strong>#{r.revision}</strong> {humanize(r.type)}
              </span>
              <span className="hint">
                {new Date(r.at).toLocaleString()} · {actorName(r.actor)}
              </span>
              {r.revision !== latest && r.type !== 'delete' && (
                <span className="rev-buttons">
                  {r.type !== 'unpublish' && (
                  <button type="button" onClick={() => setComparing(r.revision)} aria-pressed={comparing === r.revision} aria-label={`Compare revision ${r.revision} with the current version`}>
                    Compare
                  </button>
                  )}
                  <button type="button" onClick={() => void restore(r.revision)} disabled={busy !== 0} aria-label={`Restore revision ${r.revision}`}>
                    {busy === r.revision ? 'Restoring…' : 'Restore'}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
