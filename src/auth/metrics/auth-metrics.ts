// Prometheus metrics of authentication, in a registry of the app's own (an app swapped in by a
// migration starts its own, and tests running several apps in one process keep them apart), plus
// the default process metrics.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type SignInOutcome = 'success' | 'failure';

/** provider: "kiln" for Kiln's own accounts, else the provider id of the spec (github, corp-sso…); method: password, passkey, totp, backup_code, oauth. */
export type SignInLabels = { provider: string; method: string };

export class AuthMetrics {
  readonly registry = new Registry();
  readonly #duration: Histogram<'provider' | 'method' | 'outcome'>;
  readonly #signIns: Counter<'provider' | 'method' | 'outcome'>;
  readonly #tokens: Counter<'grant_type'>;
  readonly #reuse: Counter;
  readonly #limited: Counter<'endpoint' | 'reason'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#duration = new Histogram({
      name: 'kiln_auth_sign_in_duration_seconds',
      help: 'Time to answer a sign-in attempt (argon2id dominates password sign-ins)',
      labelNames: ['provider', 'method', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#signIns = new Counter({ name: 'kiln_auth_sign_ins_total', help: 'Sign-in attempts by identity provider, method and outcome', labelNames: ['provider', 'method', 'outcome'], registers });
    this.#tokens = new Counter({ name: 'kiln_auth_tokens_issued_total', help: 'OAuth access tokens issued by grant type', labelNames: ['grant_type'], registers });
    this.#reuse = new Counter({ name: 'kiln_auth_refresh_token_reuse_total', help: 'Refresh tokens presented again after rotation (the grant is revoked)', registers });
    this.#limited = new Counter({ name: 'kiln_auth_rate_limited_total', help: 'Credential requests refused by a rate limit or the per-account slow-down', labelNames: ['endpoint', 'reason'], registers });
  }

  signIn(labels: SignInLabels, outcome: SignInOutcome, seconds: number): void {
    const l = { ...labels, outcome };
    this.#signIns.inc(l);
    this.#duration.observe(l, seconds);
  }

  tokenIssued(grantType: string): void {
    this.#tokens.inc({ grant_type: grantType });
  }

  refreshReuse(): void {
    this.#reuse.inc();
  }

  rateLimited(endpoint: string, reason: 'ip' | 'account'): void {
    this.#limited.inc({ endpoint, reason });
  }
}
