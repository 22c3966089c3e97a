// Choosing a new password from the mailed link: better-auth checks the token at
// /api/auth/reset-password/:token and sends the browser here with ?token= (or ?error=INVALID_TOKEN
// when it expired or was used). POST /api/auth/reset-password sets the password and signs out every
// session of the account; the person then signs in with the new one.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { BASE, Link } from '../router.tsx';

type Length = { min: number; max: number };

function Expired() {
  return (
    <main className="auth-page" id="main">
      <div className="card">
        <h1>This link has expired</h1>
        <p role="alert">The link to reset your password has expired or was used already. Each link works once, for one hour.</p>
        <Link to="/forgot-password" className="button primary">
          Request a new link
        </Link>
        <Link to="/sign-in">Back to sign in</Link>
      </div>
    </main>
  );
}

export function ResetPassword() {
  const [params] = useState(() => new URLSearchParams(location.search));
  const token = params.get('token');
  const [length, setLength] = useState<Length>({ min: 8, max: 128 });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [expired, setExpired] = useState(!token || params.has('error'));
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<{ password?: string; confirm?: string; form?: string }>({});

  useEffect(() => {
    // The policy only sharpens the hint and the messages: the server checks it, and its answer is
    // shown on the field (no minLength attribute, whose browser bubble would speak instead).
    api<{ data: { passwordLength: Length } }>('/api/sign-in-options').then((r) => setLength(r.data.passwordLength), () => undefined);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setErrors({ confirm: 'The two passwords are not the same.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api('/api/auth/reset-password', { body: { newPassword: password, token } });
      // The reset ended every session; a person who opened the link signed in (the account page
      // mails it) also drops this browser's cookies, whose signed cache would outlive the session.
      await api('/api/auth/sign-out', { method: 'POST', body: {} }).catch(() => undefined);
      setDone(true);
    } catch (err) {
      const code = err instanceof ApiError ? err.problem.code : undefined;
      if (code === 'INVALID_TOKEN') setExpired(true);
      else if (code === 'PASSWORD_TOO_SHORT') setErrors({ password: `Too short: use at least ${length.min} characters.` });
      else if (code === 'PASSWORD_TOO_LONG') setErrors({ password: `Too long: use at most ${length.max} characters.` });
      else if (err instanceof ApiError && err.status === 400 && /password/i.test(err.message)) setErrors({ password: err.message });
      else setErrors({ form: message(err) });
      setBusy(false);
    }
  };

  if (expired) return <Expired />;
  if (done) {
    return (
      <main className="auth-page" id="main">
        <div className="card" role="status">
          <h1>Your password is changed</h1>
          <p>Sign in with your new password. For safety, every device that was signed in to your account has been signed out.</p>
          {/* A full load: a person who was signed in when they opened the link is signed out now. */}
          <a href={`${BASE}/sign-in`} className="button primary">
            Sign in
          </a>
        </div>
      </main>
    );
  }
  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title" tabIndex={-1}>
          Choose a new password
        </h1>
        <label>
          <span>New password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? 'new-password-error' : 'new-password-hint'}
          />
        </label>
        {errors.password ? (
          <p id="new-password-error" className="field-error" role="alert">
            {errors.password}
          </p>
        ) : (
          <small id="new-password-hint">At least {length.min} characters. A few unrelated words make a strong one.</small>
        )}
        <label>
          <span>Confirm the new password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby={errors.confirm ? 'confirm-password-error' : undefined}
          />
        </label>
        {errors.confirm && (
          <p id="confirm-password-error" className="field-error" role="alert">
            {errors.confirm}
          </p>
        )}
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </main>
  );
}
