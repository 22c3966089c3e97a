// Configuration comes from the environment only, so one image runs anywhere; every variable is
// documented in the README.
import { readIdentityConfig, type IdentityConfig } from '../auth/identity/identity-config.ts';
import { readMailConfig, type MailConfig } from '../auth/mail/mail-config.ts';
import { readAbuseConfig, type AbuseConfig } from '../auth/abuse/abuse-config.ts';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  adminToken?: string;
  logLevel: string;
  /** KILN_AUTH_SECRET, KILN_PUBLIC_URL, KILN_AUTH_SESSION_CACHE. */
  identity: IdentityConfig;
  /** KILN_SMTP_URL, KILN_MAIL_FROM. */
  mail: MailConfig;
  /** KILN_AUTH_RATE_LIMIT, KILN_AUTH_RATE_WINDOW, KILN_AUTH_SLOWDOWN_AFTER, KILN_REDIS_URL: read here so a bad value stops the start at once (the app reads them too). */
  abuse: AbuseConfig;
};

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    dataDir: env.KILN_DATA_DIR || '.kiln',
    databaseUrl: env.KILN_DATABASE_URL || undefined,
    adminToken: env.KILN_ADMIN_TOKEN || undefined,
    logLevel: env.KILN_LOG_LEVEL || 'info',
    identity: readIdentityConfig(env),
    mail: readMailConfig(env),
    abuse: readAbuseConfig(env),
  };
}
