// Signing out everywhere: POST /api/auth/revoke-sessions ends every session of the account, this
// browser's too, so the person goes back to the sign-in page. Other browsers notice once their signed
// session cookie cache runs out (KILN_AUTH_SESSION_CACHE, five minutes by default), which the page says.
import { useState } from 'react';
import { api, message } from '../api.ts';
import { ConfirmButton } from '../admin/ConfirmButton.tsx';
import { useSession } from '../session.tsx';

export function SessionsSection() {
  const s = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/revoke-sessions', { body: {} });
      await s.signOut();
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  return (
    <section className="account-section" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p>Lost a phone, or signed in on a computer that is not yours? Sign out on every browser and device where your account is signed in: this one at once, the others within a few minutes.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <ConfirmButton label={busy ? 'Signing out…' : 'Sign out everywhere'} busy={busy} question="Sign out on every device, this one too?" confirmLabel="Yes, sign out everywhere" onConfirm={() => void revoke()} />
      </div>
    </section>
  );
}
