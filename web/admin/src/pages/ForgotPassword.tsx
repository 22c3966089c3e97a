// Forgotten password: POST /api/auth/request-password-reset mails a link (when the address has an
// account) that passes through /api/auth/reset-password/:token and lands on /admin/reset-password
// with ?token= (or ?error=INVALID_TOKEN). The page says the same thing whatever the address, so it
// never tells whether an account exists.
import { useState, type FormEvent } from 'react';
import { api, message } from '../api.ts';
import { BASE, Link } from '../router.tsx';

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/request-password-reset', { body: { email: email.trim(), redirectTo: `${BASE}/reset-password` } });
      setSent(true);
    } catch (err) {
      setError(message(err));
    }
    setBusy(false);
  };

  if (sent) {
    return (
      <main className="auth-page" id="main">
        <div className="card" role="status">
          <h1>Check your email</h1>
          <p>
            If there is an account for <strong>{email.trim()}</strong>, we have sent it a link to choose a new password. The link works once, for one hour.
          </p>
          <p className="hint">Nothing arrived? Check the spam folder, or ask again in a few minutes.</p>
          <Link to="/sign-in">Back to sign in</Link>
        </div>
      </main>
    );
  }
  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title" tabIndex={-1}>
          Reset your password
        </h1>
        <p>Enter the email address of your account and we will mail you a link to choose a new password.</p>
        <label>
          <span>Email</span>
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send the link'}
        </button>
        <p>
          Remembered it? <Link to="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
