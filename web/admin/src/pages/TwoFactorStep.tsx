// The second step of signing in for a person who enrolled an authenticator app: better-auth holds a
// pending challenge in a signed cookie (after the password, a magic link or a provider), and the
// 6-digit code from the app (POST /api/auth/two-factor/verify-totp) or one recovery code
// (verify-backup-code) turns it into a session. "Trust this browser" is better-auth's trusted
// device: later password sign-ins from this browser skip the code for 30 days.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';

type Mode = 'totp' | 'recovery';

/** What went wrong, and whether it belongs to the code field or ends this attempt. */
function problemOf(err: unknown, mode: Mode): { field?: string; form?: string; restart?: boolean } {
  if (!(err instanceof ApiError)) return { form: message(err) };
  switch (err.problem.code) {
    case 'INVALID_CODE':
      return { field: 'That code is not right. Enter the current code from your authenticator app.' };
    case 'INVALID_BACKUP_CODE':
      return { field: 'That recovery code is not valid, or it was used already.' };
    case 'INVALID_TWO_FACTOR_COOKIE':
      return { form: 'This sign-in has expired. Start again.', restart: true };
    case 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE':
      return { form: 'Too many wrong codes. Sign in again to get another try.', restart: true };
    case 'ACCOUNT_TEMPORARILY_LOCKED':
      return { form: 'Too many wrong codes for this account: it is locked for a while. Try again later.' };
  }
  if (err.status === 401) return { field: mode === 'totp' ? 'That code is not right.' : 'That recovery code is not valid.' };
  return { form: message(err) };
}

export function TwoFactorStep({ onSignedIn, onRestart }: { onSignedIn: () => void; onRestart: () => void }) {
  const [mode, setMode] = useState<Mode>('totp');
  const [code, setCode] = useState('');
  const [trust, setTrust] = useState(false);
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<{ text: string; restart?: boolean } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [mode]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(null);
    setFormError(null);
    try {
      const path = mode === 'totp' ? '/api/auth/two-factor/verify-totp' : '/api/auth/two-factor/verify-backup-code';
      await api(path, { body: { code: code.trim(), trustDevice: trust } });
      onSignedIn();
    } catch (err) {
      const p = problemOf(err, mode);
      if (p.field) setFieldError(p.field);
      else setFormError({ text: p.form ?? '', restart: p.restart });
      setBusy(false);
      input.current?.select();
    }
  };

  const switchMode = () => {
    setMode(mode === 'totp' ? 'recovery' : 'totp');
    setCode('');
    setFieldError(null);
    setFormError(null);
  };

  const label = mode === 'totp' ? 'Two-factor code' : 'Recovery code';
  return (
    <form className="card" onSubmit={submit} aria-labelledby="two-factor-title">
      <h1 id="two-factor-title" tabIndex={-1}>
        Two-factor authentication
      </h1>
      <p id="two-factor-hint">
        {mode === 'totp'
          ? 'Enter the 6-digit code your authenticator app shows for this account.'
          : 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each works once.'}
      </p>
      <label>
        <span>{label}</span>
        <input
          ref={input}
          key={mode}
          className="mono"
          required
          autoComplete="one-time-code"
          {...(mode === 'totp' ? { inputMode: 'numeric' as const, pattern: '[0-9]{6}', maxLength: 6 } : { spellCheck: false, autoCapitalize: 'off' })}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'two-factor-code-error' : 'two-factor-hint'}
        />
      </label>
      {fieldError && (
        <p id="two-factor-code-error" className="field-error" role="alert">
          {fieldError}
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={trust} onChange={(e) => setTrust(e.target.checked)} aria-describedby="trust-hint" />
        <span>Trust this browser for 30 days</span>
      </label>
      <small id="trust-hint">Password sign-ins from this browser will not ask for a code. Leave it off on a shared computer.</small>
      {formError && (
        <div className="form-error" role="alert">
          <p>{formError.text}</p>
          {formError.restart && (
            <button type="button" onClick={onRestart}>
              Sign in again
            </button>
          )}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Verify'}
      </button>
      <button type="button" className="link-button" onClick={switchMode}>
        {mode === 'totp' ? 'Use a recovery code' : 'Use the authenticator app'}
      </button>
      <button type="button" className="link-button" onClick={onRestart}>
        Cancel and start over
      </button>
    </form>
  );
}
