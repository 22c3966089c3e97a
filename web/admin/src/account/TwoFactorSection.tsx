// Two-factor authentication for the signed-in person, through better-auth's two-factor plugin:
// turning it on runs the enrolment steps the MFA policy's own page uses (pages/MfaEnrolment.tsx);
// new recovery codes (POST /api/auth/two-factor/generate-backup-codes) replace the old ones; turning
// it off (POST /api/auth/two-factor/disable) asks for the password when the account has one. When
// the spec's MFA policy requires it for one of the person's roles it is not offered: the server
// would stop every request until they enrolled again.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, message } from '../api.ts';
import { CodesStep, ConfirmStep, StartStep, type Enrolment } from '../pages/MfaEnrolment.tsx';
import { useSession, type Me } from '../session.tsx';
import type { AppSpec } from '../spec.ts';
import { authCode, type AccountSectionProps } from './account-info.ts';
import { CurrentPasswordField } from '../pages/CurrentPasswordField.tsx';

/** The roles of `me` for which the spec requires MFA (["*"] when it is required of everyone), or none. */
export function mfaRequiredBy(spec: AppSpec, me: Me): string[] {
  if (spec.mfa.policy !== 'required' || me.kind !== 'user') return [];
  if (!spec.mfa.roles) return ['*'];
  const held = new Set([...(me.roles ?? []), ...Object.values(me.memberships ?? {}).flat()]);
  return spec.mfa.roles.filter((r) => held.has(r));
}

type Mode = { kind: 'idle' } | { kind: 'start' } | { kind: 'confirm'; enrolment: Enrolment } | { kind: 'codes'; codes: string[]; status: string } | { kind: 'regenerate' } | { kind: 'disable' };

export function TwoFactorSection({ account, refresh }: AccountSectionProps) {
  const s = useSession();
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [done, setDone] = useState<string | null>(null);
  const on = Boolean(account.user.twoFactorEnabled);
  const required = mfaRequiredBy(s.spec, s.me);
  const go = (m: Mode) => {
    setDone(null);
    setMode(m);
  };
  // Each step replaces the control that was pressed: focus goes to the first control of the new
  // step (not on the first render, where the page's own focus handling is right).
  const steps = useRef<HTMLDivElement>(null);
  const shown = useRef(false);
  useEffect(() => {
    if (!shown.current) {
      shown.current = true;
      return;
    }
    steps.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, [mode.kind]);

  let body;
  if (s.spec.mfa.policy === 'off') body = <p>This app does not use two-factor authentication.</p>;
  else if (mode.kind === 'start') {
    body = (
      <>
        <StartStep
          labelledBy="two-factor-title"
          hasPassword={account.hasPassword}
          intro="Use an authenticator app (such as 1Password, Google Authenticator or Aegis): after your password or sign-in link, it gives the code that proves it is you."
          onEnrolled={(enrolment) => setMode({ kind: 'confirm', enrolment })}
        />
        <CancelButton onClick={() => go({ kind: 'idle' })} />
      </>
    );
  } else if (mode.kind === 'confirm') {
    body = (
      <>
        <ConfirmStep labelledBy="two-factor-title" enrolment={mode.enrolment} onConfirmed={() => setMode({ kind: 'codes', codes: mode.enrolment.backupCodes, status: 'Two-factor authentication is on.' })} />
        <CancelButton onClick={() => go({ kind: 'idle' })} />
      </>
    );
  } else if (mode.kind === 'codes') {
    body = (
      <CodesStep
        codes={mode.codes}
        status={mode.status}
        doneLabel="I have saved them"
        onDone={() => {
          setMode({ kind: 'idle' });
          refresh();
        }}
      />
    );
  } else if (mode.kind === 'regenerate') {
    body = (
      <PasswordConfirm
        hasPassword={account.hasPassword}
        question="New recovery codes replace the ones you have: the old ones stop working."
        action="Generate new recovery codes"
        busyLabel="Generating…"
        path="/api/auth/two-factor/generate-backup-codes"
        onDone={(r) => setMode({ kind: 'codes', codes: (r as { backupCodes: string[] }).backupCodes, status: 'New recovery codes are ready. The old ones no longer work.' })}
        onCancel={() => go({ kind: 'idle' })}
      />
    );
  } else if (mode.kind === 'disable') {
    body = (
      <PasswordConfirm
        hasPassword={account.hasPassword}
        question="Without two-factor authentication, your password or a sign-in link alone opens your account."
        action="Turn off two-factor authentication"
        busyLabel="Turning off…"
        danger
        path="/api/auth/two-factor/disable"
        onDone={() => {
          setMode({ kind: 'idle' });
          setDone('Two-factor authentication is off.');
          refresh();
        }}
        onCancel={() => go({ kind: 'idle' })}
      />
    );
  } else if (!on) {
    body = (
      <div className="actions">
        <button type="button" className="primary" onClick={() => go({ kind: 'start' })}>
          Turn on two-factor authentication
        </button>
      </div>
    );
  } else {
    body = (
      <>
        <div className="actions">
          <button type="button" onClick={() => go({ kind: 'regenerate' })}>
            New recovery codes…
          </button>
          {required.length === 0 && (
            <button type="button" className="danger" onClick={() => go({ kind: 'disable' })}>
              Turn off…
            </button>
          )}
        </div>
        {required.length > 0 && (
          <p className="hint">
            {required[0] === '*'
              ? 'This app requires two-factor authentication of everyone, so it cannot be turned off.'
              : `This app requires two-factor authentication of the ${required.join(', ')} role${required.length > 1 ? 's' : ''} you hold, so it cannot be turned off.`}
          </p>
        )}
      </>
    );
  }

  return (
    <section className="account-section" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      {s.spec.mfa.policy !== 'off' && (
        <p>
          Status: <strong className={on ? 'state state-published' : 'state'}>{on ? 'On' : 'Off'}</strong>
        </p>
      )}
      <div ref={steps} className="account-steps">
        {body}
      </div>
      <p role="status" className="account-done">
        {done ?? ''}
      </p>
    </section>
  );
}

function CancelButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="link-button account-cancel" onClick={onClick}>
      Cancel
    </button>
  );
}

/** A sensitive two-factor change: asks for the password when the account has one, then posts. */
function PasswordConfirm(p: { hasPassword: boolean; question: string; action: string; busyLabel: string; danger?: boolean; path: string; onDone: (answer: unknown) => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => (input.current ?? button.current)?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(null);
    setError(null);
    try {
      p.onDone(await api(p.path, { body: p.hasPassword ? { password } : {} }));
    } catch (err) {
      if (authCode(err) === 'INVALID_PASSWORD') setFieldError('That password is not right.');
      else setError(message(err));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="account-form" aria-label={p.action}>
      <p>{p.question}</p>
      {p.hasPassword && (
        <CurrentPasswordField ref={input} id="two-factor-password" value={password} onChange={setPassword} error={fieldError} />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" ref={button} className={p.danger ? 'danger' : 'primary'} disabled={busy}>
          {busy ? p.busyLabel : p.action}
        </button>
        <button type="button" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
