// Sign-in: email and password through better-auth (a session cookie), a mailed sign-in link, or an
// external provider, as GET /api/sign-in-options offers them; then the second factor for a person
// with an authenticator app (TwoFactorStep). For operators, the root API token kept in this tab only.
// Sign-ins that leave the page come back here (sign-in-return.ts), as does the mailed confirmation link.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, message, setRootToken } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { Link } from '../router.tsx';
import { ProviderButtons, TenantSso, type Provider } from './ProviderButtons.tsx';
import { clearLanding, readLanding, signInReturnURL, VERIFIED_RETURN_URL, type Landing } from './sign-in-return.ts';
import { TwoFactorStep } from './TwoFactorStep.tsx';
import { ResendVerification } from './ResendVerification.tsx';
import { PasskeySignInButton } from './PasskeySignIn.tsx';

type Options = { password: boolean; magicLink: boolean; signUp: 'open' | 'invite' | 'closed'; providers: Provider[]; tenantSso: boolean };
type Loaded = { state: 'loading' } | { state: 'error'; error: string } | { state: 'ready'; options: Options };
type Step = 'credentials' | 'two-factor' | 'link-sent';

function useSignInOptions(): [Loaded, () => void] {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const load = useCallback(() => {
    setLoaded({ state: 'loading' });
    api<{ data: Options }>('/api/sign-in-options').then(
      (r) => setLoaded({ state: 'ready', options: r.data }),
      (e: unknown) => setLoaded({ state: 'error', error: message(e) }),
    );
  }, []);
  useEffect(load, [load]);
  return [loaded, load];
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [landing] = useState<Landing>(readLanding);
  useEffect(clearLanding, []);
  const [step, setStep] = useState<Step>(landing.twoFactor ? 'two-factor' : 'credentials');
  const [loaded, reloadOptions] = useSignInOptions();
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState<'password' | 'link' | null>(null);
  const [error, setError] = useState<string | null>(landing.error ?? null);
  const [emailError, setEmailError] = useState<string | null>(null);

  const signIn = async () => {
    if (mode === 'token') {
      const me = await api<{ data: { kind: string } }>('/api/me', { token: token.trim() });
      if (me.data.kind !== 'root') throw new Error('That is not the root token.');
      setRootToken(token.trim());
      onSignedIn();
      return;
    }
    // callbackURL: where a new confirmation link (sent when the address is not confirmed yet) lands.
    const r = await api<{ twoFactorRedirect?: boolean }>('/api/auth/sign-in/email', { body: { email, password, callbackURL: VERIFIED_RETURN_URL } });
    if (r?.twoFactorRedirect) {
      setPassword('');
      setStep('two-factor');
    } else onSignedIn();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('password');
    setError(null);
    setEmailError(null);
    try {
      await signIn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(mode === 'token' ? 'That token is not valid.' : 'The email or password is not right.');
      else if (err instanceof ApiError && err.problem.code === 'EMAIL_NOT_VERIFIED') setError('Confirm your email address first: we have sent you a new link.');
      else setError(message(err));
    }
    setBusy(null);
  };

  const sendLink = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setEmailError('Enter your email address to get a sign-in link.');
      return;
    }
    setEmailError(null);
    setBusy('link');
    try {
      await api('/api/auth/sign-in/magic-link', { body: { email: email.trim(), callbackURL: signInReturnURL(), errorCallbackURL: signInReturnURL() } });
      setStep('link-sent');
    } catch (err) {
      setError(message(err));
    }
    setBusy(null);
  };

  if (step === 'two-factor') {
    return (
      <main className="auth-page" id="main">
        <TwoFactorStep onSignedIn={onSignedIn} onRestart={() => { setStep('credentials'); setError(null); }} />
      </main>
    );
  }
  if (step === 'link-sent') {
    return (
      <main className="auth-page" id="main">
        <div className="card" role="status">
          <h1>Check your email</h1>
          <p>
            If <strong>{email}</strong> can sign in here, a sign-in link is on its way. It works once, for 10 minutes.
          </p>
          <button type="button" className="link-button" onClick={() => setStep('credentials')}>
            Back to sign in
          </button>
        </div>
      </main>
    );
  }

  const options = loaded.state === 'ready' ? loaded.options : null;
  const passwordOffered = options?.password ?? true;
  const emailInput = (autoComplete: string) => (
    <>
      <label>
        <span>Email</span>
        <input
          type="email"
          autoComplete={autoComplete}
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? 'email-error' : undefined}
        />
      </label>
      {emailError && (
        <p id="email-error" className="field-error" role="alert">
          {emailError}
        </p>
      )}
    </>
  );
  const errorLine = error && (
    <p className="form-error" role="alert">
      {error}
    </p>
  );

  return (
    <main className="auth-page" id="main">
      <div className="card">
        <h1 id="sign-in-title">Sign in to Kiln</h1>
        {landing.verified && (
          <p className="notice notice-ok" role="status">
            Your email address is confirmed. You can sign in now.
          </p>
        )}
        {landing.verifyFailed && <ResendVerification />}
        {mode === 'token' ? (
          <form onSubmit={submit} aria-labelledby="sign-in-title">
            <label>
              <span>Root API token</span>
              <input type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="token-hint" />
            </label>
            <small id="token-hint">
              For operators: the token <code>kiln start</code> printed once. It is kept in this browser tab only.
            </small>
            {errorLine}
            <button type="submit" className="primary" disabled={busy !== null}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        ) : loaded.state === 'loading' ? (
          <Notice kind="loading">Loading the ways to sign in…</Notice>
        ) : (
          <>
            {loaded.state === 'error' && (
              <Notice kind="error" retry={reloadOptions}>
                {loaded.error}
              </Notice>
            )}
            {passwordOffered ? (
              <form onSubmit={submit} aria-labelledby="sign-in-title">
                {emailInput('username')}
                <label>
                  <span>Password</span>
                  <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
                </label>
                <Link to="/forgot-password" className="aside-link">
                  Forgot your password?
                </Link>
                {errorLine}
                <button type="submit" className="primary" disabled={busy !== null}>
                  {busy === 'password' ? 'Signing in…' : 'Sign in'}
                </button>
                {options?.magicLink && (
                  <button type="button" disabled={busy !== null} onClick={() => void sendLink()}>
                    {busy === 'link' ? 'Sending…' : 'Email me a sign-in link'}
                  </button>
                )}
              </form>
            ) : options?.magicLink ? (
              <form onSubmit={sendLink} aria-labelledby="sign-in-title">
                {emailInput('email')}
                {errorLine}
                <button type="submit" className="primary" disabled={busy !== null}>
                  {busy === 'link' ? 'Sending…' : 'Email me a sign-in link'}
                </button>
              </form>
            ) : (
              errorLine
            )}
            <PasskeySignInButton onSignedIn={onSignedIn} />
            {options && options.providers.length > 0 && (
              <>
                <p className="divider">
                  <span>or</span>
                </p>
                <ProviderButtons providers={options.providers} />
              </>
            )}
            {options?.tenantSso && <TenantSso global={options.providers} />}
          </>
        )}
        <button type="button" className="link-button" onClick={() => { setMode(mode === 'password' ? 'token' : 'password'); setError(null); }}>
          {mode === 'password' ? 'Operator: sign in with the root token' : 'Sign in another way'}
        </button>
        {options?.signUp !== 'closed' && (
          <p>
            No account yet? <Link to="/sign-up">Create one</Link>
          </p>
        )}
      </div>
    </main>
  );
}
