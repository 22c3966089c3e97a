// Name and email. The name is the person's to change (POST /api/auth/update-user). The email is how
// they sign in and where security mail goes; the server does not enable better-auth's change-email
// (src/auth/identity/identity.ts), so the page shows it without offering a change it would refuse.
import { useState, type FormEvent } from 'react';
import { api, message } from '../api.ts';
import type { AccountSectionProps } from './account-info.ts';

export function ProfileSection({ account, refresh }: AccountSectionProps) {
  const [name, setName] = useState(account.user.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const wanted = name.trim();
    if (!wanted) {
      setError('Enter a name.');
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api('/api/auth/update-user', { body: { name: wanted } });
      setSaved(true);
      refresh();
    } catch (err) {
      setError(message(err));
    }
    setBusy(false);
  };

  return (
    <section className="account-section" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <dl className="account-facts">
        <dt>Email</dt>
        <dd>
          <span className="account-email">{account.user.email}</span> {account.user.emailVerified ? <span className="state state-published">Confirmed</span> : <span className="state">Not confirmed</span>}
        </dd>
      </dl>
      <p className="hint">You sign in with this address and security mail goes to it. This app does not let you change it yourself.</p>
      <form onSubmit={submit} className="account-form" noValidate>
        <label>
          <span>Name</span>
          <input
            autoComplete="name"
            required
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setSaved(false);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'profile-name-error' : undefined}
          />
        </label>
        {error && (
          <p id="profile-name-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save name'}
          </button>
          <span role="status">{saved ? 'Name saved.' : ''}</span>
        </div>
      </form>
    </section>
  );
}
