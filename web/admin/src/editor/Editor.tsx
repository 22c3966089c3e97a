// One item: a control per field, save (only what changed), delete, the workflow's transitions the
// caller may take, and the revision history with restore. The API's field messages appear beside
// the fields they name; anything else shows at the top of the form.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, collectionPath, message } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { mayIn, useSession } from '../session.tsx';
import { collectionLabel, titleFieldOf, type Collection } from '../spec.ts';
import { Notice } from '../Notice.tsx';
import { FieldInput } from './FieldInput.tsx';
import { fromForm, FormProblem, toForm, type FormValue } from './form-values.ts';
import { WorkflowBar } from './WorkflowBar.tsx';
import { Revisions } from './Revisions.tsx';
import { AiActions } from './AiActions.tsx';

type Item = Record<string, unknown> & { id: string };

function relationFields(c: Collection): string[] {
  return Object.entries(c.fields)
    .filter(([, f]) => f.type === 'relation')
    .map(([n]) => n);
}

export function Editor({ tenant, collection, id }: { tenant: string; collection: string; id?: string }) {
  const s = useSession();
  const c = s.spec.collections[collection];
  const base = collectionPath(tenant, collection);
  const listPath = `/t/${encodeURIComponent(tenant)}/${collection}`;
  const stateField = c.workflow?.field;
  // The workflow field moves only through transitions; on create it takes its default.
  const editable = Object.keys(c.fields).filter((n) => n !== stateField);
  const titleOf = useCallback((col: string) => titleFieldOf(s.spec.collections[col] ?? { fields: {} }), [s.spec]);

  const [item, setItem] = useState<Item | null>(null);
  const [initial, setInitial] = useState<Record<string, FormValue>>({});
  const [values, setValues] = useState<Record<string, FormValue>>({});
  const [loadState, setLoadState] = useState<'loading' | 'ready' | 'error'>(id ? 'loading' : 'ready');
  const [loadError, setLoadError] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const [notice, setNotice] = useState('');
  const [saving, setSaving] = useState(false);
  const [revisionsVersion, setRevisionsVersion] = useState(0);
  const formErrorRef = useRef<HTMLDivElement>(null);

  const adopt = useCallback(
    (data: Item | null) => {
      const form: Record<string, FormValue> = {};
      for (const n of editable) form[n] = toForm(c.fields[n], data ? data[n] : c.fields[n].default, titleOf);
      setItem(data);
      setInitial(form);
      setValues(form);
      setErrors({});
    },
    [c, titleOf],
  );

  const load = useCallback(async () => {
    if (!id) return adopt(null);
    setLoadState('loading');
    try {
      const rels = relationFields(c);
      const r = await api<{ data: Item }>(`${base}/${encodeURIComponent(id)}${rels.length ? `?expand=${rels.join(',')}` : ''}`);
      adopt(r.data);
      setLoadState('ready');
    } catch (e) {
      setLoadError(message(e));
      setLoadState('error');
    }
  }, [id, base, c, adopt]);
  useEffect(() => void load(), [load]);

  const dirty = editable.some((n) => JSON.stringify(values[n]) !== JSON.stringify(initial[n]));
  const mayWrite = mayIn(s, tenant, collection, id ? 'update' : 'create');

  const showProblem = (e: unknown) => {
    if (e instanceof ApiError) {
      const fe = e.fieldErrors();
      const onForm = Object.fromEntries(Object.entries(fe).filter(([k]) => editable.includes(k)));
      setErrors(onForm);
      const elsewhere = Object.keys(fe).filter((k) => !editable.includes(k));
      setFormError(Object.keys(onForm).length && !elsewhere.length ? 'Some fields need attention.' : e.message);
    } else setFormError(message(e));
    requestAnimationFrame(() => formErrorRef.current?.focus());
  };

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setFormError('');
    setNotice('');
    const body: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const n of editable) {
      const changed = JSON.stringify(values[n]) !== JSON.stringify(initial[n]);
      if (id && !changed) continue;
      try {
        const v = fromForm(c.fields[n], values[n]);
        // On create, empty fields are left out so the spec's defaults apply.
        if (!id && (v === null || (Array.isArray(v) && v.length === 0))) continue;
        body[n] = v;
      } catch (e) {
        if (e instanceof FormProblem) local[n] = e.message;
        else throw e;
      }
    }
    if (Object.keys(local).length) {
      setErrors(local);
      setFormError('Some fields need attention.');
      requestAnimationFrame(() => formErrorRef.current?.focus());
      return;
    }
    setSaving(true);
    try {
      if (id) {
        await api(`${base}/${encodeURIComponent(id)}`, { method: 'PATCH', body });
        await load();
        setRevisionsVersion((v) => v + 1);
        setNotice('Saved.');
      } else {
        const r = await api<{ data: Item }>(base, { method: 'POST', body });
        navigate(`${listPath}/${r.data.id}`, { replace: true });
      }
    } catch (e) {
      showProblem(e);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!id || !confirm('Delete this item? Its history is kept, but it disappears from the API.')) return;
    try {
      await api(`${base}/${encodeURIComponent(id)}`, { method: 'DELETE' });
      navigate(listPath);
    } catch (e) {
      showProblem(e);
    }
  };

  const changed = async (note: string) => {
    await load();
    setRevisionsVersion((v) => v + 1);
    setNotice(note);
  };

  const label = collectionLabel(collection, c);
  const heading = id ? (item && typeof item[titleOf(collection)] === 'string' ? String(item[titleOf(collection)]) : `Edit ${label.toLowerCase()}`) : `New ${label.replace(/s$/, '').toLowerCase()}`;

  if (loadState === 'loading') return <Notice kind="loading">Loading…</Notice>;
  if (loadState === 'error') return <Notice kind="error" retry={() => void load()}>{loadError}</Notice>;
  return (
    <div className="editor">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={listPath}>{label}</Link>
      </nav>
      <h1 tabIndex={-1}>{heading}</h1>
      {id && item && c.workflow && stateField && (
        <WorkflowBar tenant={tenant} collection={collection} id={id} workflow={c.workflow} state={String(item[stateField])} dirty={dirty} onChanged={changed} />
      )}
      <div className="editor-grid">
        <form className="item-form" onSubmit={save} noValidate aria-label={heading}>
          <div ref={formErrorRef} tabIndex={-1} hidden={!formError} className="notice notice-error" role="alert">
            {formError}
          </div>
          {notice && !formError && (
            <p className="notice notice-ok" role="status">
              {notice}
            </p>
          )}
          {editable.map((n) => (
            <FieldInput
              key={n}
              name={n}
              field={c.fields[n]}
              value={values[n] ?? null}
              error={errors[n]}
              tenant={tenant}
              collection={collection}
              readOnly={!mayWrite}
              onChange={(v) => {
                setValues((cur) => ({ ...cur, [n]: v }));
                // The message was about the old value; the API checks the new one on save.
                setErrors((cur) => (cur[n] ? Object.fromEntries(Object.entries(cur).filter(([k]) => k !== n)) : cur));
                setNotice('');
              }}
            />
          ))}
          <div className="actions">
            <button type="submit" className="primary" disabled={saving || !mayWrite || (Boolean(id) && !dirty)}>
              {saving ? 'Saving…' : id ? 'Save' : 'Create'}
            </button>
            {id && mayIn(s, tenant, collection, 'delete') && (
              <button type="button" className="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </form>
        {id && (
          <div className="editor-side">
            {mayWrite && (
              <AiActions
                tenant={tenant}
                collection={collection}
                spec={c}
                id={id}
                dirty={dirty}
                onAccept={(suggested, note) => {
                  setValues((cur) => ({ ...cur, ...Object.fromEntries(Object.entries(suggested).filter(([k]) => editable.includes(k))) }));
                  setFormError('');
                  setNotice(note);
                }}
              />
            )}
            <Revisions tenant={tenant} collection={collection} spec={c} id={id} version={revisionsVersion} onRestored={changed} />
          </div>
        )}
      </div>
    </div>
  );
}
