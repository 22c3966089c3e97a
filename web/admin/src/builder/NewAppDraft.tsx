// "Describe a new app": the planner's draft spec as a read-only preview to download. A new app is
// a different app, not a change to this one, so it is never applied here: it starts on its own
// database with `kiln start`.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { humanize } from '../spec.ts';
import { Notice } from '../Notice.tsx';
import { Explanations } from './Explanations.tsx';
import type { AppDraft } from './builder-api.ts';

export function NewAppDraft() {
  const [description, setDescription] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<AppDraft | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = description.trim();
    setFieldError('');
    setError('');
    if (!text) {
      setFieldError('Describe the app first.');
      return;
    }
    setBusy(true);
    try {
      setDraft(await api<AppDraft>('/api/builder/plan', { body: { description: text } }));
    } catch (err) {
      setDraft(null);
      const field = err instanceof ApiError ? err.fieldErrors().description : undefined;
      if (field) setFieldError(field);
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const json = draft ? JSON.stringify(draft.spec, null, 2) + '\n' : '';
  return (
    <section className="builder-panel" aria-labelledby="new-app-heading">
      <h2 id="new-app-heading">Describe a new app</h2>
      <p className="hint">
        A new app is a different app, not a change to this one, so it is not applied here: download its spec and start it on its own database with{' '}
        <code>kiln start kiln.json</code>.
      </p>
      <form onSubmit={(e) => void submit(e)} className="builder-form">
        <label htmlFor="builder-description">Describe the app</label>
        <textarea
          id="builder-description"
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          aria-describedby={`builder-description-hint${fieldError ? ' builder-description-error' : ''}`}
          aria-invalid={fieldError ? true : undefined}
        />
        <small id="builder-description-hint">For example "A recipe site with recipes and ingredients. Recipes have a title and a cooking time in minutes."</small>
        {fieldError && (
          <p className="field-error" id="builder-description-error">
            {fieldError}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Drafting…' : 'Draft a spec'}
          </button>
        </div>
      </form>
      <div aria-live="polite">{busy && <Notice kind="loading">Drafting the spec…</Notice>}</div>
      {error && <Notice kind="error">{error}</Notice>}
      {draft && (
        <div className="draft">
          <h3>Draft: {draft.spec.title ?? draft.spec.name}</h3>
          <Explanations understood={draft.understood} assumptions={draft.assumptions} refused={draft.refused} warnings={draft.warnings} />
          {!draft.checks.ok && (
            <div className="notice notice-error" role="alert">
              <p>The draft does not pass the spec checks:</p>
              <ul>
                {draft.checks.errors.map((x, i) => (
                  <li key={i}>
                    {x.path}: {x.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <ul className="draft-collections" aria-label="Collections of the draft">
            {Object.entries(draft.spec.collections).map(([name, c]) => (
              <li key={name}>
                <strong>{c.label ?? humanize(name)}</strong>: {Object.entries(c.fields).map(([f, d]) => `${humanize(f).toLowerCase()} (${d.type}${d.required ? ', required' : ''})`).join(', ')}
              </li>
            ))}
          </ul>
          <details className="sql">
            <summary>kiln.json</summary>
            <pre className="mono">{json}</pre>
          </details>
          <div className="actions">
            <a className="button" href={`data:application/json;charset=utf-8,${encodeURIComponent(json)}`} download="kiln.json">
              Download kiln.json
            </a>
          </div>
        </div>
      )}
    </section>
  );
}
