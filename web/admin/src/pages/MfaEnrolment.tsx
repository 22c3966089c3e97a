// Setting up an authenticator app, for a person the spec's MFA policy requires it of (auth.mfa
// "required" for their role): until they have, every request beyond /api/auth/* answers 403 naming
// "mfa" (src/auth/identity/mfa-policy.ts), so the app shows this instead of its pages. Three steps,
// all through better-auth's two-factor plugin: POST /api/auth/two-factor/enable (with the password
// when the account has one) returns the otpauth:// URI and recovery codes; a code from the app
// confirms it (verify-totp), which turns two-factor on; then the recovery codes, shown once.
// The account page (account/TwoFactorSection.tsx) runs the same steps for anyone turning it on.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { CurrentPasswordField } from './CurrentPasswordField.tsx';

/** Whether an error is the MFA policy's "enrol first" answer. */
export function isMfaEnrolmentRequired(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403 && (e.problem.errors ?? []).some((f) => f.field === 'mfa');
}

export type Enrolment = { totpURI: string; backupCodes: string[] };
type Step = { kind: 'start' } | { kind: 'confirm'; enrolment: Enrolment } | { kind: 'codes'; enrolment: Enrolment };

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={label}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

const REQUIRED_INTRO = 'Your role in this app requires two-factor authentication. Set up an authenticator app (such as 1Password, Google Authenticator or Aegis) to go on.';

/** `hasPassword` when the caller knows already; else the account list tells. */
export function StartStep({ onEnrolled, intro = REQUIRED_INTRO, hasPassword, labelledBy = 'mfa-title' }: { onEnrolled: (e: Enrolment) => void; intro?: string; hasPassword?: boolean; labelledBy?: string }) {
  const [needsPassword, setNeedsPassword] = useState<boolean | null>(hasPassword ?? null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (hasPassword !== undefined) return;
    // People who only ever signed in through a provider have no password to confirm.
    api<{ providerId: string }[]>('/api/auth/list-accounts').then(
      (accounts) => setNeedsPassword(accounts.some((a) => a.providerId === 'credential')),
      () => setNeedsPassword(true),
    );
  }, [hasPassword]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      onEnrolled(await api<Enrolment>('/api/auth/two-factor/enable', { body: needsPassword ? { password } : {} }));
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === 'INVALID_PASSWORD') setFieldError('That password is not right.');
      else setError(message(err));
      setBusy(false);
    }
  };

  if (needsPassword === null) return <Notice kind="loading">Loading…</Notice>;
  return (
    <form onSubmit={submit} aria-labelledby={labelledBy}>
      <p>{intro}</p>
      {needsPassword && (
        <CurrentPasswordField id="mfa-password" value={password} onChange={setPassword} error={fieldError} />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Starting…' : 'Set up an authenticator app'}
      </button>
    </form>
  );
}

export function ConfirmStep({ enrolment, onConfirmed, labelledBy = 'mfa-title' }: { enrolment: Enrolment; onConfirmed: () => void; labelledBy?: string }) {
  const secret = new URL(enrolment.totpURI).searchParams.get('secret') ?? '';
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      await api('/api/auth/two-factor/verify-totp', { body: { code: code.trim() } });
      onConfirmed();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setFieldError('That code is not right. Enter the code the app shows now.');
      else setError(message(err));
      setBusy(false);
      input.current?.select();
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby={labelledBy}>
      <p>Add this account to your authenticator app: paste the setup key, or the whole setup link if the app takes one.</p>
      <div className="secret">
        <span id="mfa-secret-label">Setup key</span>
        <div className="secret-row">
          <code className="mono" aria-labelledby="mfa-secret-label">
            {secret}
          </code>
          <CopyButton text={secret} label="Copy the setup key" />
        </div>
      </div>
      <div className="secret">
        <span id="mfa-uri-label">Setup link</span>
        <div className="secret-row">
          <code className="mono" aria-labelledby="mfa-uri-label">
            {enrolment.totpURI}
          </code>
          <CopyButton text={enrolment.totpURI} label="Copy the setup link" />
        </div>
      </div>
      <label>
        <span>Code from the app</span>
        <input
          ref={input}
          className="mono"
          required
          inputMode="numeric"
          pattern="[0-9]{6}"
          maxLength={6}
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'mfa-code-error' : undefined}
        />
      </label>
      {fieldError && (
        <p id="mfa-code-error" className="field-error" role="alert">
          {fieldError}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Turn on two-factor authentication'}
      </button>
    </form>
  );
}

export function CodesStep({ codes, onDone, status = 'Two-factor authentication is on.', doneLabel = 'I have saved them: continue' }: { codes: string[]; onDone: () => void; status?: string; doneLabel?: string }) {
  return (
    <div className="mfa-codes">
      <p role="status">{status}</p>
      <p>
        Save these recovery codes somewhere safe. Each one signs you in once if you lose your authenticator app; you will not see them again.
      </p>
      <ul className="recovery-codes mono" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <CopyButton text={codes.join('\n')} label="Copy the recovery codes" />
      <button type="button" className="primary" onClick={onDone}>
        {doneLabel}
      </button>
    </div>
  );
}

export function MfaEnrolment({ onDone }: { onDone: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'start' });
  const signOut = async () => {
    await api('/api/auth/sign-out', { method: 'POST', body: {} }).catch(() => undefined);
    onDone();
  };
  return (
    <main className="auth-page" id="main">
      <div className="card">
        <h1 id="mfa-title" tabIndex={-1}>
          Set up two-factor authentication
        </h1>
        {step.kind === 'start' && <StartStep onEnrolled={(enrolment) => setStep({ kind: 'confirm', enrolment })} />}
        {step.kind === 'confirm' && <ConfirmStep enrolment={step.enrolment} onConfirmed={() => setStep({ kind: 'codes', enrolment: step.enrolment })} />}
        {step.kind === 'codes' && <CodesStep codes={step.enrolment.backupCodes} onDone={onDone} />}
        {step.kind !== 'codes' && (
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </div>
    </main>
  );
}
