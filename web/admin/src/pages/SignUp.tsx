// Sign-up through better-auth. Nobody is signed in until they confirm their address: the page ends
// with "check your email", and the link in the mail brings them back to the sign-in page, which says
// the address is confirmed (or that the link expired, with a way to get a new one).
import { useState, type FormEvent } from 'react';
import { api, message } from '../api.ts';
import { Link } from '../router.tsx';
import { VERIFIED_RETURN_URL } from './sign-in-return.ts';

export function SignUp() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/sign-up/email', { body: { name, email, password, callbackURL: VERIFIED_RETURN_URL } });
      setSent(true);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (sent) {
    return (
      <main className="auth-page" id="main">
        <div className="card" role="status">
          <h1>Check your email</h1>
          <p>
            We sent a link to <strong>{email}</strong>. Open it to confirm your address, then sign in.
          </p>
          <Link to="/sign-in">Back to sign in</Link>
        </div>
      </main>
    );
  }
  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={submit} aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Create an account</h1>
        <label>
          <span>Name</span>
          <input autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          <span>Email</span>
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          <span>Password</span>
          <input type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="password-hint" />
        </label>
        <small id="password-hint">At least 8 characters.</small>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
