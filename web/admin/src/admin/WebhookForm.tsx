// Creating or changing a webhook subscription: the URL, and which events and collections it gets
// (none ticked: all of them), and whose view of the items the payloads show.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { useSession } from '../session.tsx';
import { collectionLabel, humanize } from '../spec.ts';
import { grantableRoles } from './RoleChoice.tsx';

export type Subscription = {
  id: string;
  url: string;
  collections: string[] | null;
  events: string[] | null;
  role: string | null;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
};

export function WebhookForm({ base, events, existing, onSaved, onCancel }: { base: string; events: string[]; existing?: Subscription; onSaved: (s: Subscription & { secret?: string }) => void; onCancel?: () => void }) {
  const s = useSession();
  const prefix = existing ? `edit-${existing.id}` : 'new-webhook';
  const [url, setUrl] = useState(existing?.url ?? '');
  const [chosenEvents, setEvents] = useState<string[]>(existing?.events ?? []);
  const [collections, setCollections] = useState<string[]>(existing?.collections ?? []);
  const [role, setRole] = useState(existing?.role ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setErrors({});
    setFormError(null);
    const body = { url: url.trim(), events: chosenEvents.length ? chosenEvents : null, collections: collections.length ? collections : null, role: role || null };
    try {
      const r = existing
        ? await api<{ data: Subscription }>(`${base}/${existing.id}`, { method: 'PATCH', body })
        : await api<{ data: Subscription & { secret: string } }>(base, { method: 'POST', body: { url: body.url, ...(body.events && { events: body.events }), ...(body.collections && { collections: body.collections }), ...(body.role && { role: body.role }) } });
      if (!existing) {
        setUrl('');
        setEvents([]);
        setCollections([]);
        setRole('');
      }
      onSaved(r.data);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors(fields);
      if (!['url', 'events', 'collections', 'role'].some((f) => fields[f])) setFormError(message(err));
    } finally {
      setSaving(false);
    }
  };

  const names = Object.keys(s.spec.collections);
  return (
    <form className="admin-form" aria-label={existing ? `Change the webhook to ${existing.url}` : 'New webhook'} onSubmit={(e) => void submit(e)} noValidate>
      {!existing && <h2>New webhook</h2>}
      <div className="field">
        <label htmlFor={`${prefix}-url`}>URL</label>
        <input
          id={`${prefix}-url`}
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://example.com/hooks/kiln"
          aria-invalid={errors.url ? true : undefined}
          aria-describedby={errors.url ? `${prefix}-url-error` : `${prefix}-url-hint`}
        />
        {errors.url ? (
          <p id={`${prefix}-url-error`} className="field-error">
            {errors.url}
          </p>
        ) : (
          <small id={`${prefix}-url-hint`}>Each change is sent there as a signed POST (Standard Webhooks).</small>
        )}
      </div>
      <Choices id={`${prefix}-events`} legend="Events" hint="None ticked: every event." options={events.map((e) => [e, humanize(e)])} value={chosenEvents} onChange={setEvents} error={errors.events} />
      <Choices id={`${prefix}-collections`} legend="Collections" hint="None ticked: every collection." options={names.map((n) => [n, collectionLabel(n, s.spec.collections[n])])} value={collections} onChange={setCollections} error={errors.collections} />
      <div className="field">
        <label htmlFor={`${prefix}-role`}>Payloads show items as</label>
        <select id={`${prefix}-role`} value={role} onChange={(e) => setRole(e.target.value)} aria-invalid={errors.role ? true : undefined} aria-describedby={errors.role ? `${prefix}-role-error` : undefined}>
          <option value="">Full items</option>
          {['public', ...grantableRoles(s.spec.roles)].map((r) => (
            <option key={r} value={r}>
              {humanize(r)} sees them
            </option>
          ))}
        </select>
        {errors.role && (
          <p id={`${prefix}-role-error`} className="field-error">
            {errors.role}
          </p>
        )}
      </div>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : existing ? 'Save changes' : 'Create webhook'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function Choices({ id, legend, hint, options, value, onChange, error }: { id: string; legend: string; hint: string; options: [string, string][]; value: string[]; onChange: (v: string[]) => void; error?: string }) {
  const order = options.map(([v]) => v);
  return (
    <fieldset className="role-choice" aria-describedby={error ? `${id}-error` : `${id}-hint`} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      <div className="choice-grid">
        {options.map(([v, label]) => (
          <label key={v} className="check">
            <input type="checkbox" checked={value.includes(v)} onChange={(e) => onChange(e.target.checked ? [...value, v].sort((a, b) => order.indexOf(a) - order.indexOf(b)) : value.filter((x) => x !== v))} />
            <span>{label}</span>
          </label>
        ))}
      </div>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : (
        <small id={`${id}-hint`}>{hint}</small>
      )}
    </fieldset>
  );
}
