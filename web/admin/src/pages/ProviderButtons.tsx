// Sign-in through an external provider: one button per provider the app offers everyone (from
// GET /api/sign-in-options), and, where some providers are kept for particular tenants, a field that
// finds an organization's own SSO by its tenant ID (GET /api/tenants/:slug/providers). A button asks
// better-auth for the provider's address (POST /api/auth/sign-in/social) and goes there; the provider
// sends the person back to the sign-in page (sign-in-return.ts).
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { signInReturnURL } from './sign-in-return.ts';

export type Provider = { id: string; type: string; label: string; provider: string };

async function startProviderSignIn(provider: string): Promise<void> {
  const r = await api<{ url: string }>('/api/auth/sign-in/social', {
    body: { provider, callbackURL: signInReturnURL(), errorCallbackURL: signInReturnURL(), disableRedirect: true },
  });
  location.assign(r.url);
}

function ProviderList({ providers, onError }: { providers: Provider[]; onError: (e: string | null) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const start = async (p: Provider) => {
    setBusy(p.id);
    onError(null);
    try {
      await startProviderSignIn(p.provider);
    } catch (err) {
      onError(message(err));
      setBusy(null);
    }
  };
  return (
    <ul className="providers">
      {providers.map((p) => (
        <li key={p.id}>
          <button type="button" className={`provider provider-${p.type}`} disabled={busy !== null} onClick={() => void start(p)}>
            {busy === p.id ? `Opening ${p.label}…` : `Continue with ${p.label}`}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ProviderButtons({ providers }: { providers: Provider[] }) {
  const [error, setError] = useState<string | null>(null);
  if (!providers.length) return null;
  return (
    <section aria-label="Sign in with another account" className="provider-section">
      <ProviderList providers={providers} onError={setError} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/** "Sign in with your organization's SSO": the tenant ID finds the providers kept for that tenant. */
export function TenantSso({ global }: { global: Provider[] }) {
  const [open, setOpen] = useState(false);
  const [slug, setSlug] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [found, setFound] = useState<Provider[] | null>(null);

  const find = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(null);
    setError(null);
    setFound(null);
    try {
      const r = await api<{ data: { providers: Provider[] } }>(`/api/tenants/${encodeURIComponent(slug.trim())}/providers`);
      // The buttons above already offer the providers everyone may use.
      const own = r.data.providers.filter((p) => !global.some((g) => g.id === p.id));
      if (own.length === 0) setFieldError('That organization has no single sign-on of its own: use a way to sign in above.');
      else if (own.length === 1) await startProviderSignIn(own[0].provider);
      else setFound(own);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setFieldError('There is no organization with that ID.');
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="link-button" onClick={() => setOpen(true)} aria-expanded="false">
        Sign in with your organization's SSO
      </button>
    );
  }
  return (
    <form className="tenant-sso" onSubmit={find} aria-label="Your organization's SSO">
      <label>
        <span>Organization ID</span>
        <input
          required
          autoCapitalize="off"
          spellCheck={false}
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'tenant-sso-error' : 'tenant-sso-hint'}
          autoFocus
        />
      </label>
      {fieldError ? (
        <p id="tenant-sso-error" className="field-error" role="alert">
          {fieldError}
        </p>
      ) : (
        <small id="tenant-sso-hint">The short name of your organization in this app, as in its addresses (for example “northwind”).</small>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Looking…' : 'Continue with SSO'}
      </button>
      {found && <ProviderList providers={found} onError={setError} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
