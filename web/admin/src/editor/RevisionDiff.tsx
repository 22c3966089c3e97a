// What changed between a revision and the current item, field by field (GET …/{id}/diff): text with
// removed and added words marked as such (struck through, underlined and named for screen readers,
// not by colour alone), other values as before and after.
import { useEffect, useState } from 'react';
import { api, message } from '../api.ts';
import { fieldLabel, type Collection } from '../spec.ts';
import { htmlText, wordDiff } from './word-diff.ts';

type Change = { field: string; before: unknown; after: unknown };

type Props = { path: string; collection: Collection; from: number; to: number; onClose: () => void };

const TEXTUAL = new Set(['string', 'text', 'richtext', 'slug', 'email', 'url']);

function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function RevisionDiff(p: Props) {
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setChanges(null);
    setError('');
    api<{ data: Change[] }>(`${p.path}/diff?from=${p.from}&to=${p.to}`)
      .then((r) => live && setChanges(r.data.filter((c) => p.collection.fields[c.field])))
      .catch((e: unknown) => live && setError(message(e)));
    return () => {
      live = false;
    };
  }, [p.path, p.from, p.to, p.collection]);

  return (
    <section className="rev-diff" aria-labelledby="rev-diff-title">
      <div className="rev-diff-head">
        <h3 id="rev-diff-title">
          Revision {p.from} compared with the current version
        </h3>
        <button type="button" onClick={p.onClose}>
          Close comparison
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!changes && !error && <p role="status">Comparing…</p>}
      {changes && changes.length === 0 && <p role="status">No field differs.</p>}
      {changes && changes.length > 0 && (
        <dl>
          {changes.map((c) => {
            const f = p.collection.fields[c.field];
            const text = TEXTUAL.has(f.type) && (typeof c.before === 'string' || c.before === null) && (typeof c.after === 'string' || c.after === null);
            const plain = (v: unknown) => (f.type === 'richtext' ? htmlText(String(v ?? '')) : String(v ?? ''));
            return (
              <div key={c.field} className="rev-diff-field">
                <dt>{fieldLabel(c.field, f)}</dt>
                <dd>
                  {text ? (
                    <p className="diff-text">
                      {wordDiff(plain(c.before), plain(c.after)).map((part, i) =>
                        part.kind === 'same' ? (
                          <span key={i}>{part.text}</span>
                        ) : part.kind === 'removed' ? (
                          <del key={i}>
                            <span className="sr-only">[removed: </span>
                            {part.text}
                            <span className="sr-only">]</span>
                          </del>
                        ) : (
                          <ins key={i}>
                            <span className="sr-only">[added: </span>
                            {part.text}
                            <span className="sr-only">]</span>
                          </ins>
                        ),
                      )}
                    </p>
                  ) : (
                    <p className="diff-values">
                      <del>
                        <span className="sr-only">[was: </span>
                        {shown(c.before)}
                        <span className="sr-only">]</span>
                      </del>{' '}
                      →{' '}
                      <ins>
                        <span className="sr-only">[now: </span>
                        {shown(c.after)}
                        <span className="sr-only">]</span>
                      </ins>
                    </p>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </section>
  );
}
