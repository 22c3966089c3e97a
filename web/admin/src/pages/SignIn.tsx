// Sign-in: email and password through better-auth (a session cookie), or, for operators, the root
// API token kept in this tab only.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message, setRootToken } from '../api.ts';
import { Link } from '../router.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'token') {
        const me = await api<{ data: { kind: string } }>('/api/me', { token: token.trim() });
        if (me.data.kind !== 'root') throw new Error('That is not the root token.');
        setRootToken(token.trim());
      } else {
        const r = await api<{ twoFactorRedirect?: boolean }>('/api/auth/sign-in/email', { body: { email, password } });
        if (r?.twoFactorRedirect) throw new Error('This account uses two-factor authentication, which this admin UI does not support yet.');
      }
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(mode === 'token' ? 'That token is not valid.' : 'The email or password is not right.');
      else if (err instanceof ApiError && err.problem.code === 'EMAIL_NOT_VERIFIED') setError('Confirm your email address first: we have sent you a new link.');
      else setError(message(err));
      setBusy(false);
    }
  };

  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate={false}>
        <h1 id="sign-in-title">Sign in to Kiln</h1>
        {mode === 'password' ? (
          <>
            <label>
              <span>Email</span>
              <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label>
              <span>Password</span>
              <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
          </>
        ) : (
          <label>
            <span>Root API token</span>
            <input type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="token-hint" />
          </label>
        )}
        {mode === 'token' && (
          <small id="token-hint">For operators: the token <code>kiln start</code> printed once. It is kept in this browser tab only.</small>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="link-button" onClick={() => { setMode(mode === 'password' ? 'token' : 'password'); setError(null); }}>
          {mode === 'password' ? 'Operator: sign in with the root token' : 'Sign in with email and password'}
        </button>
        <p>
          No account yet? <Link to="/sign-up">Create one</Link>
        </p>
      </form>
    </main>
  );
}
