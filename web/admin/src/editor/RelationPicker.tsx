// Picks related items: a search box whose answers fill a select. A to-one relation holds one item;
// a many-relation lists the chosen items, each with a remove button.
import { useEffect, useState } from 'react';
import { api, collectionPath, isAbort, message, query } from '../api.ts';
import { useSession } from '../session.tsx';
import { collectionLabel, searchable, titleFieldOf, type Field } from '../spec.ts';
import type { FormValue, Picked } from './form-values.ts';

type Props = {
  id: string;
  label: string;
  describedBy?: string;
  field: Field;
  value: Picked | Picked[] | null;
  tenant: string;
  readOnly?: boolean;
  error?: string;
  onChange: (v: FormValue) => void;
};

export function RelationPicker(p: Props) {
  const s = useSession();
  const target = p.field.to ?? '';
  const tc = s.spec.collections[target];
  const title = titleFieldOf(tc);
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<Picked[]>([]);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState('');

  useEffect(() => {
    const ctl = new AbortController();
    const t = setTimeout(async () => {
      setState('loading');
      const words = q.trim();
      const params: Record<string, string | number | undefined> = { limit: 20, fields: title === 'id' ? 'id' : `id,${title}` };
      if (words && searchable(tc)) params.search = words;
      else if (words && title !== 'id') params[`filter[${title}][_contains]`] = words;
      else params.sort = tc.defaultSort;
      try {
        const r = await api<{ data: Record<string, unknown>[] }>(collectionPath(p.tenant, target) + query(params), { signal: ctl.signal });
        setOptions(r.data.map((x) => ({ id: String(x.id), label: typeof x[title] === 'string' && x[title] ? String(x[title]) : String(x.id) })));
        setState('ready');
      } catch (e) {
        if (isAbort(e)) return;
        setError(message(e));
        setState('error');
      }
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q, p.tenant, target, title, tc]);

  const many = Boolean(p.field.many);
  const chosen = many ? ((p.value as Picked[] | null) ?? []) : [];
  const one = many ? null : (p.value as Picked | null);
  const targetLabel = collectionLabel(target, tc).toLowerCase();
  const choices = options.filter((o) => !chosen.some((c) => c.id === o.id));
  if (one && !choices.some((o) => o.id === one.id)) choices.unshift(one);

  const pick = (idValue: string) => {
    if (idValue === '') return !many && p.onChange(null);
    const o = choices.find((x) => x.id === idValue);
    if (!o) return;
    if (many) p.onChange([...chosen, o]);
    else p.onChange(o);
  };

  return (
    <fieldset className="relation" aria-describedby={p.describedBy} disabled={p.readOnly}>
      <legend>{p.label}</legend>
      {many && (
        <ul className="chips" aria-label={`Chosen ${targetLabel}`}>
          {chosen.length === 0 && <li className="hint">None chosen.</li>}
          {chosen.map((c) => (
            <li key={c.id}>
              {c.label}
              <button type="button" className="chip-remove" aria-label={`Remove ${c.label}`} onClick={() => p.onChange(chosen.filter((x) => x.id !== c.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="relation-row">
        <div>
          <label htmlFor={`${p.id}-search`}>Search {targetLabel}</label>
          <input id={`${p.id}-search`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <div>
          <label htmlFor={p.id}>{many ? `Add ${targetLabel}` : p.label.replace(' (required)', '')}</label>
          <select id={p.id} aria-invalid={p.error ? true : undefined} value={many ? '' : (one?.id ?? '')} onChange={(e) => pick(e.target.value)} aria-busy={state === 'loading'}>
            <option value="">{many ? (state === 'loading' ? 'Loading…' : choices.length ? `Choose ${targetLabel} to add…` : 'No matches') : '—'}</option>
            {choices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {state === 'error' && (
        <p className="field-error" role="alert">
          Could not load {targetLabel}: {error}
        </p>
      )}
    </fieldset>
  );
}
