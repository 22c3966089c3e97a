// Shown on the sign-in page when the mailed confirmation link did not work (expired after 24 hours,
// or already replaced): a new one is mailed with POST /api/auth/send-verification-email, which
// answers the same whether or not the address has an unconfirmed account.
import { useState, type FormEvent } from 'react';
import { api, message } from '../api.ts';
import { VERIFIED_RETURN_URL } from './sign-in-return.ts';

export function ResendVerification() {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/send-verification-email', { body: { email: email.trim(), callbackURL: VERIFIED_RETURN_URL } });
      setSent(true);
    } catch (err) {
      setError(message(err));
    }
    setBusy(false);
  };

  if (sent) {
    return (
      <p className="notice notice-ok" role="status">
        If {email.trim()} still needs confirming, a new link is on its way. It works for 24 hours.
      </p>
    );
  }
  return (
    <form className="notice notice-error resend" onSubmit={submit} aria-labelledby="resend-title">
      <p id="resend-title" role="alert">
        That confirmation link has expired or is no longer valid. Get a new one:
      </p>
      <label>
        <span>Email to confirm</span>
        <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send a new link'}
      </button>
    </form>
  );
}
