// Changing the password (POST /api/auth/change-password) with the current one, optionally signing
// out every other session. An account made through a provider or a magic link has no password:
// better-auth sets one for a signed-in person only from the server (setPassword is not an HTTP
// endpoint), so the page offers the mailed reset link, which creates the password it sets.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { BASE } from '../router.tsx';
import { authCode, type AccountSectionProps } from './account-info.ts';

type Errors = { current?: string; fresh?: string; confirm?: string; form?: string };

export function PasswordSection({ account }: AccountSectionProps) {
  return (
    <section className="account-section" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      {account.hasPassword ? <ChangePassword account={account} /> : <SetPassword account={account} />}
    </section>
  );
}

function ChangePassword({ account }: Pick<AccountSectionProps, 'account'>) {
  const { min, max } = account.passwordLength;
  const [current, setCurrent] = useState('');
  const [fresh, setFresh] = useState('');
  const [confirm, setConfirm] = useState('');
  const [others, setOthers] = useState(true);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (fresh !== confirm) {
      setErrors({ confirm: 'The two new passwords are not the same.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api('/api/auth/change-password', { body: { currentPassword: current, newPassword: fresh, revokeOtherSessions: others } });
      setCurrent('');
      setFresh('');
      setConfirm('');
      setDone(others ? 'Your password is changed, and every other session of your account is signed out.' : 'Your password is changed.');
    } catch (err) {
      const code = authCode(err);
      if (code === 'INVALID_PASSWORD') setErrors({ current: 'That is not your current password.' });
      else if (code === 'PASSWORD_TOO_SHORT') setErrors({ fresh: `Too short: use at least ${min} characters.` });
      else if (code === 'PASSWORD_TOO_LONG') setErrors({ fresh: `Too long: use at most ${max} characters.` });
      else if (err instanceof ApiError && err.status === 400 && /password/i.test(err.message)) setErrors({ fresh: err.message });
      else setErrors({ form: message(err) });
    }
    setBusy(false);
  };

  const field = (id: string, label: string, value: string, set: (v: string) => void, autoComplete: string, error?: string, hint?: string) => (
    <>
      <label>
        <span>{label}</span>
        <input
          type="password"
          autoComplete={autoComplete}
          required
          value={value}
          onChange={(e) => set(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        />
      </label>
      {error ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : (
        hint && <small id={`${id}-hint`}>{hint}</small>
      )}
    </>
  );

  return (
    <form onSubmit={submit} className="account-form" aria-labelledby="password-title">
      {field('current-password', 'Current password', current, setCurrent, 'current-password', errors.current)}
      {field('changed-password', 'New password', fresh, setFresh, 'new-password', errors.fresh, `At least ${min} characters. A few unrelated words make a strong one.`)}
      {field('changed-password-confirm', 'Confirm the new password', confirm, setConfirm, 'new-password', errors.confirm)}
      <label className="check">
        <input type="checkbox" checked={others} onChange={(e) => setOthers(e.target.checked)} />
        <span>Sign out my other sessions</span>
      </label>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
      <p role="status" className="account-done">
        {done ?? ''}
      </p>
    </form>
  );
}

function SetPassword({ account }: Pick<AccountSectionProps, 'account'>) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const how = account.providers.length ? `through ${account.providers.join(', ')}` : 'with links mailed to you';

  if (!account.passwordSignIn) return <p>You sign in {how}. This app does not use passwords.</p>;

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/request-password-reset', { body: { email: account.user.email, redirectTo: `${BASE}/reset-password` } });
      setSent(true);
    } catch (err) {
      setError(message(err));
    }
    setBusy(false);
  };

  return (
    <div className="account-form">
      <p>
        Your account has no password: you sign in {how}. To sign in with your email and a password too, we can mail you a link to choose one. Setting it signs
        you out everywhere; then sign in with the new password.
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={busy || sent} onClick={() => void send()}>
          {busy ? 'Sending…' : 'Email me a link to set a password'}
        </button>
      </div>
      <p role="status" className="account-done">
        {sent ? `We have sent a link to ${account.user.email}. It works once, for one hour.` : ''}
      </p>
    </div>
  );
}
