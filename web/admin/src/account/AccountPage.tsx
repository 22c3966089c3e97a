// /admin/account: the signed-in person's own account: profile, password, two-factor
// authentication, passkeys and sessions. Each section is its own component over the same loaded
// account (account-info.ts), and loads it again after a change. Only for people: the root token
// has no account.
import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { useSession } from '../session.tsx';
import { loadAccount, type AccountInfo } from './account-info.ts';
import { PasskeysSection } from './PasskeysSection.tsx';
import { PasswordSection } from './PasswordSection.tsx';
import { ProfileSection } from './ProfileSection.tsx';
import { SessionsSection } from './SessionsSection.tsx';
import { TwoFactorSection } from './TwoFactorSection.tsx';

export function AccountPage() {
  const s = useSession();
  const [account, setAccount] = useState<AccountInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const refresh = useCallback(() => {
    abort.current?.abort();
    const ctl = new AbortController();
    abort.current = ctl;
    setError(null);
    // What is shown stays until the new answer arrives, so the sections do not blank and jump.
    loadAccount(ctl.signal).then(setAccount, (e: unknown) => !isAbort(e) && setError(message(e)));
  }, []);
  useEffect(() => {
    if (s.me.kind !== 'user') return;
    refresh();
    return () => abort.current?.abort();
  }, [refresh, s.me.kind]);

  if (s.me.kind !== 'user') {
    return (
      <div className="admin-page">
        <h1 tabIndex={-1}>Account</h1>
        <p>You are signed in with the root token, which has no account to manage. People manage their own accounts here.</p>
      </div>
    );
  }
  return (
    <div className="admin-page account-page">
      <h1 tabIndex={-1}>Account</h1>
      {error && (
        <Notice kind="error" retry={refresh}>
          {error}
        </Notice>
      )}
      {!account && !error && <Notice kind="loading">Loading your account…</Notice>}
      {account && (
        <>
          <ProfileSection account={account} refresh={refresh} />
          <PasswordSection account={account} refresh={refresh} />
          <TwoFactorSection account={account} refresh={refresh} />
          <PasskeysSection />
          <SessionsSection />
        </>
      )}
    </div>
  );
}
