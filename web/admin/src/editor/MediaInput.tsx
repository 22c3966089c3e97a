// A media field: upload a file (held to the field's accepted types and size by the server), see a
// preview of images, or remove it. The field holds the uploaded file's URL.
import { useEffect, useState } from 'react';
import { api, message } from '../api.ts';
import type { Field } from '../spec.ts';
import type { FormValue } from './form-values.ts';

type Props = { id: string; label: string; describedBy?: string; name: string; field: Field; value: string; tenant: string; collection: string; readOnly?: boolean; onChange: (v: FormValue) => void };

type Uploaded = { data: { url: string; type: string; filename: string | null } };

export function MediaInput(p: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // The chosen image shows at once, from the browser's own copy, while it uploads.
  const [local, setLocal] = useState('');
  useEffect(() => () => void (local && URL.revokeObjectURL(local)), [local]);
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError('');
    setLocal(file.type.startsWith('image/') ? URL.createObjectURL(file) : '');
    const form = new FormData();
    form.append('file', file);
    try {
      const r = await api<Uploaded>(`/api/t/${encodeURIComponent(p.tenant)}/media?collection=${encodeURIComponent(p.collection)}&field=${encodeURIComponent(p.name)}`, { form });
      p.onChange(r.data.url);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
      setLocal('');
    }
  };
  const image = (p.field.accept ?? []).some((a) => a.startsWith('image/'));
  return (
    <div className="media">
      <label htmlFor={p.id}>{p.label}</label>
      <div className="media-row">
        <div className="preview" aria-live="polite">
          {local ? (
            <img src={local} alt={`${p.label.replace(' (required)', '').toLowerCase()} being uploaded`} width={80} height={80} className="uploading" />
          ) : p.value ? image ? <img src={`${p.value}?w=160&h=160&fit=cover`} alt={`Current ${p.label.toLowerCase()}`} width={80} height={80} /> : <a href={p.value}>Current file</a> : <span className="hint">No file</span>}
        </div>
        <input id={p.id} type="file" accept={p.field.accept?.join(',')} aria-describedby={p.describedBy} disabled={p.readOnly || busy} onChange={(e) => void upload(e.target.files?.[0])} />
        {p.value && (
          <button type="button" onClick={() => p.onChange('')} disabled={p.readOnly}>
            Remove file
          </button>
        )}
      </div>
      {busy && (
        <p role="status">
          <span className="spinner" aria-hidden="true" /> Uploading…
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
