// A signed-in person's passkeys: the list, "Add a passkey" (the WebAuthn registration ceremony through
// @simplewebauthn/browser against /api/auth/passkey/*) and removal. Renders nothing where the app does
// not offer passkeys (the list endpoint is then a 404) or the browser has no WebAuthn.
import { startRegistration, browserSupportsWebAuthn, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, isAbort, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { passkeyProblem } from './PasskeySignIn.tsx';

type Passkey = { id: string; name?: string | null; createdAt?: string | null; deviceType?: string; backedUp?: boolean };

type Listed = { state: 'loading' } | { state: 'off' } | { state: 'error'; error: string } | { state: 'ready'; passkeys: Passkey[] };

function addProblem(e: unknown): string {
  if (e instanceof ApiError && (e.problem.code === 'SESSION_NOT_FRESH' || e.status === 403)) return 'For your safety, sign out and sign in again before adding a passkey.';
  if ((e as { code?: string }).code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'This device already holds a passkey for your account.';
  return passkeyProblem(e);
}

export function PasskeyEnrol() {
  const [listed, setListed] = useState<Listed>({ state: 'loading' });
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback((signal?: AbortSignal) => {
    if (!browserSupportsWebAuthn()) return setListed({ state: 'off' });
    api<Passkey[]>('/api/auth/passkey/list-user-passkeys', { signal, token: null }).then(
      (passkeys) => setListed({ state: 'ready', passkeys }),
      (e: unknown) => {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 404) setListed({ state: 'off' });
        else setListed({ state: 'error', error: message(e) });
      },
    );
  }, []);
  useEffect(() => {
    const ask = new AbortController();
    load(ask.signal);
    return () => ask.abort();
  }, [load]);

  if (listed.state === 'off') return null;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy('add');
    setError(null);
    setDone(null);
    try {
      const optionsJSON = await api<PublicKeyCredentialCreationOptionsJSON>('/api/auth/passkey/generate-register-options', { token: null });
      const response = await startRegistration({ optionsJSON });
      const added = await api<Passkey>('/api/auth/passkey/verify-registration', { body: { response, name: name.trim() || undefined }, token: null });
      setName('');
      setDone(`Passkey “${added.name ?? 'Passkey'}” added. You can now sign in with it.`);
      load();
    } catch (err) {
      setError(addProblem(err));
    } finally {
      setBusy(null);
    }
  };

  const remove = async (p: Passkey) => {
    setBusy(p.id);
    setError(null);
    setDone(null);
    try {
      await api('/api/auth/passkey/delete-passkey', { body: { id: p.id }, token: null });
      setDone(`Passkey “${p.name ?? 'Passkey'}” removed.`);
      load();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="passkeys" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      <p>Sign in with your fingerprint, face or device PIN instead of a password. A passkey sign-in also counts as two-factor authentication.</p>
      {listed.state === 'loading' && <Notice kind="loading">Loading your passkeys…</Notice>}
      {listed.state === 'error' && (
        <Notice kind="error" retry={() => load()}>
          {listed.error}
        </Notice>
      )}
      {listed.state === 'ready' &&
        (listed.passkeys.length === 0 ? (
          <p className="passkeys-empty">You have no passkeys yet.</p>
        ) : (
          <ul className="passkey-list" aria-label="Your passkeys">
            {listed.passkeys.map((p) => (
              <li key={p.id}>
                <span className="passkey-name">{p.name || 'Passkey'}</span>
                {p.createdAt && <small>Added {new Date(p.createdAt).toLocaleDateString()}</small>}
                <button type="button" onClick={() => remove(p)} disabled={busy !== null} aria-label={`Remove passkey ${p.name || 'Passkey'}`}>
                  {busy === p.id ? 'Removing…' : 'Remove'}
                </button>
              </li>
            ))}
          </ul>
        ))}
      <form className="passkey-add" onSubmit={add}>
        <label>
          <span>Passkey name (optional)</span>
          <input value={name} maxLength={100} placeholder="For example: Work laptop" onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === 'add' ? 'Waiting for your device…' : 'Add a passkey'}
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </section>
  );
}
