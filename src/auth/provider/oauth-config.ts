// OAuth / OpenID Connect provider settings from the environment (see the README). Client secrets are
// read per spec client: KILN_OAUTH_CLIENT_<ID>_SECRET, the id upper-cased with every other character
// than a letter or digit turned into "_".
export type OAuthConfig = {
  /** KILN_REDIS_URL: share revoked access token ids between processes through Redis. */
  redisUrl?: string;
  /** KILN_OAUTH_REFRESH_GRACE: seconds in which the previous refresh token, presented again, gets the same answer (default 15; 0 turns it off). */
  refreshGraceSeconds: number;
  /** The secret of a confidential client, or undefined. */
  clientSecret(clientId: string): string | undefined;
};

export const clientSecretVariable = (clientId: string): string => `KILN_OAUTH_CLIENT_${clientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_SECRET`;

export function readOAuthConfig(env: NodeJS.ProcessEnv = process.env): OAuthConfig {
  const grace = env.KILN_OAUTH_REFRESH_GRACE === undefined || env.KILN_OAUTH_REFRESH_GRACE === '' ? 15 : Number(env.KILN_OAUTH_REFRESH_GRACE);
  if (!Number.isInteger(grace) || grace < 0 || grace > 120) throw new Error(`KILN_OAUTH_REFRESH_GRACE must be whole seconds from 0 to 120, not "${env.KILN_OAUTH_REFRESH_GRACE}"`);
  const redisUrl = env.KILN_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error(`KILN_REDIS_URL must be a redis:// or rediss:// URL`);
  return { redisUrl, refreshGraceSeconds: grace, clientSecret: (id) => env[clientSecretVariable(id)] || undefined };
}
