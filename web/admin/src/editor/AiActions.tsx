// The collection's AI actions for one item (POST …/{id}/ai/{action}). An action reads the saved
// item and answers a suggestion without changing anything; Accept puts the suggested values into
// the form (saved only with Save), Discard drops them.
import { useState } from 'react';
import { api, ApiError, collectionPath, message } from '../api.ts';
import { useSession } from '../session.tsx';
import { fieldLabel, titleFieldOf, type Collection } from '../spec.ts';
import { toForm, type FormValue, type Picked } from './form-values.ts';
import { htmlText } from './word-diff.ts';

type Action = 'summarize' | 'seo' | 'suggestTags' | 'translate';
type Answer = { action: Action; suggestion: Record<string, unknown>; source: string; notes?: string[] };

const NAMES: Record<Action, string> = { summarize: 'Summarize', seo: 'Write SEO text', suggestTags: 'Suggest tags', translate: 'Translate' };
const ORDER: Action[] = ['summarize', 'seo', 'suggestTags', 'translate'];

type Props = { tenant: string; collection: string; spec: Collection; id: string; dirty: boolean; onAccept: (values: Record<string, FormValue>, note: string) => void };

function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export function AiActions(p: Props) {
  const s = useSession();
  const declared = p.spec.ai?.actions ?? {};
  const actions = ORDER.filter((a) => declared[a] !== undefined);
  const languages = declared.translate?.languages ?? [];
  const [language, setLanguage] = useState(languages[0] ?? '');
  const [busy, setBusy] = useState<Action | ''>('');
  const [error, setError] = useState('');
  const [answer, setAnswer] = useState<{ action: Action; values: Record<string, FormValue>; notes: string[]; source: string } | null>(null);
  const titleOf = (col: string) => titleFieldOf(s.spec.collections[col] ?? { fields: {} });

  /** Relation ids become picked items with their titles, so the form shows names. */
  const toValues = async (suggestion: Record<string, unknown>): Promise<Record<string, FormValue>> => {
    const out: Record<string, FormValue> = {};
    for (const [name, value] of Object.entries(suggestion)) {
      const f = p.spec.fields[name];
      if (!f) continue;
      if (f.type === 'relation' && f.to) {
        const ids = (Array.isArray(value) ? value : [value]).filter((x): x is string => typeof x === 'string');
        let items: Record<string, unknown>[] = ids.map((id) => ({ id }));
        if (ids.length) {
          try {
            const title = titleOf(f.to);
            const r = await api<{ data: Record<string, unknown>[] }>(`${collectionPath(p.tenant, f.to)}?filter[id][_in]=${ids.map(encodeURIComponent).join(',')}&limit=${ids.length}`);
            const byId = new Map(r.data.map((x) => [String(x.id), x]));
            items = ids.map((id) => byId.get(id) ?? { id, [title]: id });
          } catch {
            // Names are a nicety: the ids alone still make a valid suggestion.
          }
        }
        out[name] = toForm(f, f.many ? items : (items[0] ?? null), titleOf);
      } else out[name] = toForm(f, value, titleOf);
    }
    return out;
  };

  const run = async (action: Action) => {
    setBusy(action);
    setError('');
    setAnswer(null);
    try {
      const r = await api<{ data: Answer }>(`${collectionPath(p.tenant, p.collection)}/${encodeURIComponent(p.id)}/ai/${action}`, { body: action === 'translate' ? { language } : {} });
      setAnswer({ action, values: await toValues(r.data.suggestion), notes: r.data.notes ?? [], source: r.data.source });
    } catch (e) {
      if (e instanceof ApiError && e.status === 501) setError(`${NAMES[action]} needs a model provider, and this server has none configured. ${e.message}`);
      else if (e instanceof ApiError && e.status === 503) setError(`The model provider did not answer; try again later. ${e.message}`);
      else setError(message(e));
    } finally {
      setBusy('');
    }
  };

  const shown = (name: string, v: FormValue): string => {
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : x.label)).join(', ');
    if (v && typeof v === 'object') return (v as Picked).label;
    if (typeof v === 'string' && p.spec.fields[name]?.type === 'richtext') return htmlText(v);
    return String(v ?? '');
  };

  if (!actions.length) return null;
  const fields = answer ? Object.keys(answer.values) : [];
  return (
    <section className="ai-actions" aria-labelledby="ai-title">
      <h2 id="ai-title">AI assistant</h2>
      <p className="hint">Suggestions read the saved item{p.dirty ? ' — save first to include your latest changes' : ''}. Nothing changes until you accept and save.</p>
      <div className="ai-buttons">
        {actions.map((a) => (
          <button key={a} type="button" onClick={() => void run(a)} disabled={Boolean(busy)}>
            {busy === a ? 'Working…' : NAMES[a]}
          </button>
        ))}
      </div>
      {actions.includes('translate') && languages.length > 0 && (
        <div className="field ai-language">
          <label htmlFor="ai-language">Translate into</label>
          <select id="ai-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            {languages.map((l) => (
              <option key={l} value={l}>
                {languageName(l)}
              </option>
            ))}
          </select>
        </div>
      )}
      {busy && (
        <p role="status" className="hint">
          Asking for a suggestion…
        </p>
      )}
      {error && (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {answer && (
        <div className="ai-suggestion" role="region" aria-label="Suggestion">
          <h3>Suggestion: {NAMES[answer.action].toLowerCase()}</h3>
          {fields.length === 0 ? (
            <p>No change suggested.</p>
          ) : (
            <dl>
              {fields.map((n) => (
                <div key={n}>
                  <dt>{fieldLabel(n, p.spec.fields[n])}</dt>
                  <dd>{shown(n, answer.values[n]) || '(empty)'}</dd>
                </div>
              ))}
            </dl>
          )}
          {answer.notes.map((n, i) => (
            <p key={i} className="hint">
              {n}
            </p>
          ))}
          <div className="ai-buttons">
            {fields.length > 0 && (
              <button
                type="button"
                className="primary"
                onClick={() => {
                  p.onAccept(answer.values, `Suggestion added to ${fields.map((n) => fieldLabel(n, p.spec.fields[n]).toLowerCase()).join(', ')}. Save to keep it.`);
                  setAnswer(null);
                }}
              >
                Accept
              </button>
            )}
            <button type="button" onClick={() => setAnswer(null)}>
              Discard
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
