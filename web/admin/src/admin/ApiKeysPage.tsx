// A tenant's API keys (root token only): the list never shows a key, only its last four characters;
// a new key is shown once, to copy; revoking asks first and takes effect at once.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { useSession } from '../session.tsx';
import { humanize } from '../spec.ts';
import { AdminGate, NotAllowed } from './AdminGate.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { grantableRoles } from './RoleChoice.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { useResource } from './useResource.ts';

type ApiKey = { id: string; name: string; role: string; createdAt: string; lastFour: string };

export function ApiKeysPage({ tenant }: { tenant: string }) {
  return (
    <AdminGate tenant={tenant} page="api-keys" title="API keys">
      <ApiKeys tenant={tenant} />
    </AdminGate>
  );
}

function ApiKeys({ tenant }: { tenant: string }) {
  const s = useSession();
  const base = `/api/t/${encodeURIComponent(tenant)}/api-keys`;
  const keys = useResource<{ data: ApiKey[] }>(base);
  const roles = grantableRoles(s.spec.roles);
  const [name, setName] = useState('');
  const [role, setRole] = useState(roles[0] ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<(ApiKey & { key: string }) | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  if (keys.status === 403) return <NotAllowed title="API keys" />;

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreating(true);
    setErrors({});
    setFormError(null);
    setDone(null);
    try {
      const r = await api<{ data: ApiKey & { key: string } }>(base, { method: 'POST', body: { name: name.trim(), role } });
      setCreated(r.data);
      setName('');
      keys.reload();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors(fields);
      if (!fields.name && !fields.role) setFormError(message(err));
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (k: ApiKey) => {
    setDone(null);
    setFailed(null);
    try {
      await api(`${base}/${k.id}`, { method: 'DELETE' });
      setDone(`The key “${k.name}” was revoked; requests with it are refused from now on.`);
      keys.reload();
    } catch (err) {
      setFailed(message(err));
    }
  };

  return (
    <section aria-labelledby="admin-title" className="admin-page">
      <h1 id="admin-title" tabIndex={-1}>
        API keys
      </h1>
      <p className="hint">Keys let programs use the API of {tenant} with the rights of one role.</p>
      <div className="admin-feedback" aria-live="polite">
        {done && <p className="notice notice-ok">{done}</p>}
      </div>
      {failed && <Notice kind="error">{failed}</Notice>}
      {created && <SecretOnce label={`The new key “${created.name}”`} secret={created.key} onDone={() => setCreated(null)} />}

      {keys.error && !keys.data ? (
        <Notice kind="error" retry={keys.reload}>
          Could not load the API keys: {keys.error}
        </Notice>
      ) : !keys.data ? (
        <Notice kind="loading">Loading API keys…</Notice>
      ) : keys.data.data.length === 0 ? (
        <p>No API keys yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table" aria-label="API keys" aria-busy={keys.loading}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>{humanize(k.role)}</td>
                  <td className="mono">…{k.lastFour}</td>
                  <td>{new Date(k.createdAt).toLocaleString()}</td>
                  <td>
                    <ConfirmButton label="Revoke" name={`Revoke ${k.name}`} question={`Revoke “${k.name}”? Programs using it stop working.`} confirmLabel="Revoke key" onConfirm={() => void revoke(k)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <form className="admin-form" aria-labelledby="new-key-title" onSubmit={(e) => void create(e)} noValidate>
        <h2 id="new-key-title">New API key</h2>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? 'key-name-error' : 'key-name-hint'}
          />
          {errors.name ? (
            <p id="key-name-error" className="field-error">
              {errors.name}
            </p>
          ) : (
            <small id="key-name-hint">What the key is for, like “Website build”.</small>
          )}
        </div>
        <div className="field">
          <label htmlFor="key-role">Role</label>
          <select id="key-role" value={role} onChange={(e) => setRole(e.target.value)} aria-invalid={errors.role ? true : undefined} aria-describedby={errors.role ? 'key-role-error' : undefined}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {humanize(r)}
              </option>
            ))}
          </select>
          {errors.role && (
            <p id="key-role-error" className="field-error">
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
          <button type="submit" className="primary" disabled={creating}>
            {creating ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </section>
  );
}
