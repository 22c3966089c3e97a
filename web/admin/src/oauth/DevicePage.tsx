// The device flow's verification page (RFC 8628): a TV or command-line app shows a code, the person
// enters it here (or arrives with it filled in from the app's link), sees which app asks and for
// what, and allows it. The OAuth provider (oidc-provider, at /oidc/device) does the work: it hands
// out an xsrf value bound to its session, looks codes up (answering this page in JSON), and takes
// the confirmation as a real form POST, after which the browser passes through its sign-in and
// consent steps and comes back here with ?done=1, or ?error= when it could not finish.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, isAbort, message } from '../api.ts';
import { Notice } from '../Notice.tsx';

const DEVICE = '/oidc/device';
// Kept across the provider's redirects so the success page can name the app.
const CLIENT_KEY = 'kiln.admin.deviceClient';

/** The provider's answer to a code (src/auth/provider/device-sources.ts). */
type Lookup = { xsrf: string; userCode: string; client: { id: string; name: string }; tenant: string | null; scopes: { scope: string; text: string }[]; refused: string | null };
type Refusal = { code?: string; xsrf?: string };

const ERRORS: Record<string, string> = {
  not_found: 'That code is not valid. Check it and try again.',
  expired: 'That code has expired. Start again on your device to get a new one.',
  used: 'That code was already used.',
  aborted: 'The device was not connected.',
  invalid: 'This page had expired. Enter the code again.',
};

/** Letters only, upper case, as XXXX-XXXX: what the device shows, however it was typed. */
export function formatCode(input: string): string {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, '').slice(0, 8);
  return letters.length > 4 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : letters;
}

type Step = { kind: 'code' } | { kind: 'confirm'; lookup: Lookup } | { kind: 'done'; client: string | null } | { kind: 'cancelled' };

function initial(): { step: Step; code: string; error: string | null } {
  const q = new URLSearchParams(location.search);
  if (q.get('done')) {
    const client = sessionStorage.getItem(CLIENT_KEY);
    sessionStorage.removeItem(CLIENT_KEY);
    return { step: { kind: 'done', client }, code: '', error: null };
  }
  const error = q.get('error');
  return { step: { kind: 'code' }, code: formatCode(q.get('user_code') ?? ''), error: error ? (ERRORS[error] ?? ERRORS.aborted) : null };
}

export function DevicePage() {
  const [start] = useState(initial);
  const [step, setStep] = useState<Step>(start.step);
  const [code, setCode] = useState(start.code);
  const [codeError, setCodeError] = useState<string | null>(start.error);
  const [xsrf, setXsrf] = useState<string | null>(null);
  const [xsrfError, setXsrfError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmForm = useRef<HTMLFormElement>(null);

  // The provider's xsrf value for this browser: every code lookup and the confirmation carry it.
  const needsXsrf = step.kind === 'code' || step.kind === 'confirm';
  useEffect(() => {
    if (!needsXsrf) return;
    const abort = new AbortController();
    setXsrfError(null);
    api<{ data: { xsrf: string } }>(DEVICE, { signal: abort.signal, token: null }).then(
      (r) => setXsrf(r.data.xsrf),
      (e: unknown) => !isAbort(e) && setXsrfError(message(e)),
    );
    return () => abort.abort();
  }, [needsXsrf, attempt]);

  useEffect(() => heading.current?.focus(), [step.kind]);
  // The code or outcome now lives in this page's state: a reload should not replay it.
  useEffect(() => {
    if (location.search) history.replaceState(null, '', location.pathname);
  }, []);

  const post = (fields: Record<string, string>) => api<{ data: Lookup }>(DEVICE, { form: new URLSearchParams({ xsrf: xsrf ?? '', ...fields }), token: null });
  const refusal = (e: unknown): string => {
    const problem = e instanceof ApiError ? (e.problem as Refusal) : {};
    if (problem.xsrf) setXsrf(problem.xsrf);
    return problem.code ? (ERRORS[problem.code] ?? message(e)) : message(e);
  };

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    if (code.replace('-', '').length !== 8) {
      setCodeError('Enter the 8 letters shown on your device.');
      return;
    }
    setBusy(true);
    setCodeError(null);
    try {
      const lookup = (await post({ user_code: code })).data;
      setXsrf(lookup.xsrf);
      setStep({ kind: 'confirm', lookup });
    } catch (err) {
      setCodeError(refusal(err));
    } finally {
      setBusy(false);
    }
  };

  const allow = () => {
    if (step.kind !== 'confirm') return;
    setBusy(true);
    sessionStorage.setItem(CLIENT_KEY, step.lookup.client.name);
    // A real form POST: the browser follows the provider through sign-in and consent, back to this page.
    confirmForm.current?.submit();
  };

  const cancel = async () => {
    if (step.kind !== 'confirm') return;
    setBusy(true);
    try {
      await post({ user_code: step.lookup.userCode, abort: 'yes' });
    } catch (err) {
      // Cancelling is answered with "aborted", which is what we asked for.
      if (!(err instanceof ApiError && (err.problem as Refusal).code === 'aborted')) {
        setCodeError(refusal(err));
        setStep({ kind: 'code' });
        setBusy(false);
        return;
      }
    }
    setBusy(false);
    setStep({ kind: 'cancelled' });
  };

  if (step.kind === 'done' || step.kind === 'cancelled') {
    const done = step.kind === 'done';
    return (
      <section className="card oauth-card" aria-labelledby="device-title">
        <h1 id="device-title" tabIndex={-1} ref={heading}>
          {done ? 'Device connected' : 'Device not connected'}
        </h1>
        <p role="status">
          {done ? `${step.client ?? 'Your device'} is signed in. You can close this page and go back to your device.` : 'You cancelled: the device was told no. You can close this page.'}
        </p>
        <button type="button" className="link-button oauth-again" onClick={() => { setCode(''); setCodeError(null); setStep({ kind: 'code' }); }}>
          Connect another device
        </button>
      </section>
    );
  }

  if (step.kind === 'confirm') {
    const { lookup } = step;
    return (
      <section className="card oauth-card" aria-labelledby="device-title">
        <h1 id="device-title" tabIndex={-1} ref={heading}>
          Connect {lookup.client.name}?
        </h1>
        <p>Check that your device shows this code:</p>
        <p className="device-code">{lookup.userCode}</p>
        {lookup.refused ? (
          <Notice kind="error">{lookup.refused}</Notice>
        ) : (
          <>
            <p id="device-asks">{lookup.client.name} would like to:</p>
            <ul className="oauth-scopes" aria-labelledby="device-asks">
              {lookup.scopes.map((s) => (
                <li key={s.scope}>{s.text}</li>
              ))}
            </ul>
            {lookup.tenant && (
              <p className="oauth-tenant">
                Tenant: <strong>{lookup.tenant}</strong>
              </p>
            )}
          </>
        )}
        <form ref={confirmForm} method="post" action={DEVICE} hidden>
          <input type="hidden" name="xsrf" value={xsrf ?? ''} />
          <input type="hidden" name="user_code" value={lookup.userCode} />
          <input type="hidden" name="confirm" value="yes" />
        </form>
        <div className="actions oauth-actions">
          {!lookup.refused && (
            <button type="button" className="primary" disabled={busy} onClick={allow}>
              {busy ? 'Connecting…' : 'Allow'}
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => void cancel()}>
            Cancel
          </button>
        </div>
      </section>
    );
  }

  return (
    <form className="card oauth-card" aria-labelledby="device-title" onSubmit={lookUp} noValidate>
      <h1 id="device-title" tabIndex={-1} ref={heading}>
        Connect a device
      </h1>
      <p>Enter the code shown on your TV, console or app.</p>
      <label>
        <span>Code shown on your device</span>
        <input
          className="device-input"
          value={code}
          onChange={(e) => setCode(formatCode(e.target.value))}
          inputMode="text"
          autoCapitalize="characters"
          autoComplete="off"
          spellCheck={false}
          placeholder="XXXX-XXXX"
          maxLength={9}
          aria-invalid={codeError ? true : undefined}
          aria-describedby={codeError ? 'device-code-error' : 'device-code-hint'}
        />
      </label>
      {codeError ? (
        <p className="field-error" id="device-code-error" role="alert">
          {codeError}
        </p>
      ) : (
        <small id="device-code-hint">Eight letters, as your device shows them.</small>
      )}
      {xsrfError && (
        <Notice kind="error" retry={() => setAttempt((n) => n + 1)}>
          {xsrfError}
        </Notice>
      )}
      <button type="submit" className="primary" disabled={busy || xsrf === null}>
        {busy ? 'Checking…' : 'Continue'}
      </button>
    </form>
  );
}
