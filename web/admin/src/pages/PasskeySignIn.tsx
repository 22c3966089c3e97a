// "Sign in with a passkey" for the sign-in page: the WebAuthn ceremony through @simplewebauthn/browser
// against /api/auth/passkey/*, which sets the session cookie. The button shows only where it can
// work: the browser has WebAuthn and the app offers passkeys (the spec lists "passkey").
import { startAuthentication, browserSupportsWebAuthn, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useEffect, useState } from 'react';
import { api, ApiError, message } from '../api.ts';

/**
 * Whether this app offers passkeys: undefined while asking. The list endpoint answers 404 when the
 * spec does not enable them and 401 to someone signed out when it does; it changes nothing, and is no
 * credential endpoint, so asking spends none of the caller's sign-in budget.
 */
export function usePasskeysOffered(): boolean | undefined {
  const [offered, setOffered] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    if (!browserSupportsWebAuthn()) return setOffered(false);
    const ask = new AbortController();
    api('/api/auth/passkey/list-user-passkeys', { signal: ask.signal, token: null }).then(
      () => setOffered(true),
      (e: unknown) => {
        if (e instanceof ApiError) setOffered(e.status !== 404);
      },
    );
    return () => ask.abort();
  }, []);
  return offered;
}

/** What went wrong, in words for the person at the keyboard. */
export function passkeyProblem(e: unknown): string {
  const name = (e as { name?: string }).name;
  if (name === 'NotAllowedError' || name === 'AbortError' || (e as { code?: string }).code === 'ERROR_CEREMONY_ABORTED') return 'The passkey request was cancelled or timed out. Try again when you are ready.';
  if (e instanceof ApiError) {
    if (e.problem.code === 'USER_VERIFICATION_REQUIRED') return 'Your passkey did not check that it is you (PIN, fingerprint or face). Use a passkey that does.';
    if (e.status === 401 || e.problem.code === 'PASSKEY_NOT_FOUND') return 'This passkey is not registered for this app. Sign in another way and add it first.';
    if (e.status === 429) return e.message;
    if (e.status === 400) return 'That passkey could not be verified. Try again.';
  }
  return message(e);
}

export function PasskeySignInButton({ onSignedIn }: { onSignedIn: () => void }) {
  const offered = usePasskeysOffered();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!offered) return null;

  const signIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const optionsJSON = await api<PublicKeyCredentialRequestOptionsJSON>('/api/auth/passkey/generate-authenticate-options', { token: null });
      const response = await startAuthentication({ optionsJSON });
      await api('/api/auth/passkey/verify-authentication', { body: { response }, token: null });
      onSignedIn();
    } catch (e) {
      setError(passkeyProblem(e));
      setBusy(false);
    }
  };

  return (
    <div className="passkey-sign-in">
      <button type="button" onClick={signIn} disabled={busy} aria-describedby={error ? 'passkey-sign-in-error' : undefined}>
        {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
      </button>
      {error && (
        <p className="form-error" role="alert" id="passkey-sign-in-error">
          {error}
        </p>
      )}
    </div>
  );
}
