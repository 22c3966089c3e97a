// Identity settings from the environment (see the README): the signing secret, the public URL that
// links in mail point to, how long a session check may be answered from the signed cookie cache, and
// the credentials of the external sign-in providers the spec lists.
export type ProviderCredentials = { clientId: string; clientSecret: string };

export type IdentityConfig = {
  /** KILN_AUTH_SECRET; generated and stored in the database when absent. */
  secret?: string;
  /**
   * KILN_PUBLIC_URL, default http://HOST:PORT. Links in mail are built from it, never from the
   * request's Host header, which a caller could forge to steal a reset token. A function is read on
   * first use (tests learn their port only after listening).
   */
  publicUrl: string | (() => string);
  /** KILN_AUTH_SESSION_CACHE: seconds a signed session cookie answers without a database read (default 300; 0 turns the cache off). */
  cookieCacheSeconds: number;
  /**
   * The credentials of a spec provider (by its id): KILN_AUTH_<ID>_CLIENT_ID and
   * KILN_AUTH_<ID>_CLIENT_SECRET, the id upper-cased. Absent: no provider has credentials.
   */
  providerCredentials?: (providerId: string) => ProviderCredentials | undefined;
};

/** KILN_AUTH_<ID>_CLIENT_ID / _CLIENT_SECRET of one provider; undefined unless both are set. */
export function providerCredentialsFrom(env: NodeJS.ProcessEnv): (providerId: string) => ProviderCredentials | undefined {
  return (id) => {
    const key = `KILN_AUTH_${id.toUpperCase()}`;
    const clientId = env[`${key}_CLIENT_ID`];
    const clientSecret = env[`${key}_CLIENT_SECRET`];
    return clientId && clientSecret ? { clientId, clientSecret } : undefined;
  };
}

export function readIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const publicUrl = env.KILN_PUBLIC_URL || `http://${env.HOST || '127.0.0.1'}:${env.PORT || '3000'}`;
  let parsed: URL;
  try {
    parsed = new URL(publicUrl);
  } catch {
    throw new Error(`KILN_PUBLIC_URL must be an http(s) URL, not "${publicUrl}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`KILN_PUBLIC_URL must be an http(s) URL, not "${publicUrl}"`);
  const cache = env.KILN_AUTH_SESSION_CACHE === undefined || env.KILN_AUTH_SESSION_CACHE === '' ? 300 : Number(env.KILN_AUTH_SESSION_CACHE);
  if (!Number.isInteger(cache) || cache < 0 || cache > 3600) throw new Error(`KILN_AUTH_SESSION_CACHE must be whole seconds from 0 to 3600, not "${env.KILN_AUTH_SESSION_CACHE}"`);
  return { secret: env.KILN_AUTH_SECRET || undefined, publicUrl: publicUrl.replace(/\/+$/, ''), cookieCacheSeconds: cache, providerCredentials: providerCredentialsFrom(env) };
}
