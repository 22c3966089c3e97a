// Where the OAuth provider sends a signed-in person when an app asks to act for them: the app's name,
// what it may do in plain words and for which tenant, with Allow and Deny. A step with nothing to ask
// (signing the app in with this session) continues at once; a client that asked for a fresh sign-in
// gets the password again. Every answer names where the browser goes next: back to the provider,
// which returns to the app.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, isAbort, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { useSession } from '../session.tsx';
import { CurrentPasswordField } from '../pages/CurrentPasswordField.tsx';

/** GET /oidc/interaction/{uid}/details (src/auth/provider/oidc-routes.ts). */
export type InteractionStep = {
  uid: string;
  step: 'login' | 'consent';
  client: { id: string; name: string };
  tenant: string | null;
  scopes: { scope: string; text: string }[];
  ask: boolean;
  password: boolean;
  refused: string | null;
};

type State =
  | { kind: 'loading' }
  | { kind: 'failed'; error: ApiError | Error }
  | { kind: 'ready'; step: InteractionStep }
  | { kind: 'leaving'; to: string };

const path = (uid: string, what: 'details' | 'confirm' | 'deny') => `/oidc/interaction/${encodeURIComponent(uid)}/${what}`;

export function ConsentPage({ uid }: { uid: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setState({ kind: 'loading' });
    (async () => {
      const step = (await api<{ data: InteractionStep }>(path(uid, 'details'), { signal: abort.signal })).data;
      if (step.ask) return setState({ kind: 'ready', step });
      // Nothing to ask (the app signs in with this session): go straight on.
      setState({ kind: 'leaving', to: step.client.name });
      const next = (await api<{ data: { redirectTo: string } }>(path(uid, 'confirm'), { body: {}, signal: abort.signal })).data;
      location.assign(next.redirectTo);
    })().catch((e: unknown) => {
      if (!isAbort(e)) setState({ kind: 'failed', error: e as Error });
    });
    return () => abort.abort();
  }, [uid, attempt]);

  if (state.kind === 'loading') return <Notice kind="loading">Loading the request…</Notice>;
  if (state.kind === 'leaving') return <Notice kind="loading">Returning to {state.to}…</Notice>;
  if (state.kind === 'failed') return <Failed error={state.error} retry={() => setAttempt((n) => n + 1)} />;
  const leave = (to: string) => setState({ kind: 'leaving', to });
  return state.step.password ? <PasswordStep step={state.step} onLeave={leave} /> : <ConsentStep step={state.step} onLeave={leave} />;
}

function Failed({ error, retry }: { error: Error; retry: () => void }) {
  const session = useSession();
  const status = error instanceof ApiError ? error.status : 0;
  const heading = useFocusedHeading();
  return (
    <section className="card oauth-card" aria-labelledby="oauth-title">
      <h1 id="oauth-title" tabIndex={-1} ref={heading}>
        {status === 404 ? 'This request has ended' : 'The request cannot be shown'}
      </h1>
      {/* 404 and 401 are final: trying again would not change them. */}
      <Notice kind="error" retry={status === 404 || status === 401 ? undefined : retry}>
        {message(error)}
      </Notice>
      {status === 401 && session.me.kind === 'root' && (
        <p>
          You are signed in with the root token, which is not a person. <button type="button" className="link-button" onClick={() => void session.signOut()}>Sign out</button> and sign in with
          your account.
        </p>
      )}
    </section>
  );
}

/** Focuses the page's heading when it appears, so keyboard and screen-reader users start there. */
function useFocusedHeading() {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}

/** Sends the answer; on success the browser leaves for the provider. */
function useAnswer(uid: string, onLeave: (to: string) => void, to: string) {
  const [busy, setBusy] = useState<'confirm' | 'deny' | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const answer = async (what: 'confirm' | 'deny', body: Record<string, string> = {}) => {
    setBusy(what);
    setError(null);
    try {
      const next = (await api<{ data: { redirectTo: string } }>(path(uid, what), { body })).data;
      onLeave(to);
      location.assign(next.redirectTo);
    } catch (e) {
      setError(e as Error);
      setBusy(null);
    }
  };
  return { busy, error, answer };
}

function ConsentStep({ step, onLeave }: { step: InteractionStep; onLeave: (to: string) => void }) {
  const heading = useFocusedHeading();
  const { busy, error, answer } = useAnswer(step.uid, onLeave, step.client.name);
  return (
    <section className="card oauth-card" aria-labelledby="oauth-title">
      <h1 id="oauth-title" tabIndex={-1} ref={heading}>
        {step.refused ? `${step.client.name} cannot be given access` : `Allow ${step.client.name} to use your account?`}
      </h1>
      {step.refused ? (
        <Notice kind="error">{step.refused}</Notice>
      ) : (
        <>
          <p id="oauth-asks">{step.client.name} would like to:</p>
          <ul className="oauth-scopes" aria-labelledby="oauth-asks">
            {step.scopes.map((s) => (
              <li key={s.scope}>{s.text}</li>
            ))}
          </ul>
          {step.tenant && (
            <p className="oauth-tenant">
              Tenant: <strong>{step.tenant}</strong>
            </p>
          )}
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {message(error)}
        </p>
      )}
      <div className="actions oauth-actions">
        {!step.refused && (
          <button type="button" className="primary" disabled={busy !== null} onClick={() => void answer('confirm')}>
            {busy === 'confirm' ? 'Allowing…' : 'Allow'}
          </button>
        )}
        <button type="button" disabled={busy !== null} onClick={() => void answer('deny')}>
          {busy === 'deny' ? 'Returning…' : step.refused ? `Back to ${step.client.name}` : 'Deny'}
        </button>
      </div>
    </section>
  );
}

/** The app asked for a fresh sign-in (prompt=login): the password again, for the account already signed in. */
function PasswordStep({ step, onLeave }: { step: InteractionStep; onLeave: (to: string) => void }) {
  const heading = useFocusedHeading();
  const [password, setPassword] = useState('');
  const { busy, error, answer } = useAnswer(step.uid, onLeave, step.client.name);
  const fieldError = error instanceof ApiError && error.fieldErrors().password ? message(error) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void answer('confirm', { password });
  };
  return (
    <form className="card oauth-card" aria-labelledby="oauth-title" onSubmit={submit}>
      <h1 id="oauth-title" tabIndex={-1} ref={heading}>
        Confirm it is you
      </h1>
      <p>{step.client.name} asks you to enter your password again before it continues.</p>
      <CurrentPasswordField id="oauth-password" label="Password" value={password} onChange={setPassword} error={fieldError} />
      {error && !fieldError && (
        <p className="form-error" role="alert">
          {message(error)}
        </p>
      )}
      <div className="actions oauth-actions">
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'confirm' ? 'Checking…' : 'Continue'}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void answer('deny')}>
          Cancel
        </button>
      </div>
    </form>
  );
}
