// Mail settings from the environment (see the README). Without KILN_SMTP_URL nothing is sent: mail
// stays in the outbox, where the development mail viewer shows it.
export type MailConfig = {
  /** KILN_SMTP_URL: smtp://user:pass@host:port (or smtps:// for implicit TLS). */
  smtpUrl?: string;
  /** KILN_MAIL_FROM: the From address (default "Kiln <no-reply@localhost>"). */
  from: string;
};

export function readMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const smtpUrl = env.KILN_SMTP_URL || undefined;
  if (smtpUrl) {
    let protocol = '';
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new Error('KILN_SMTP_URL must look like smtp://user:pass@host:port (or smtps://…)');
  }
  return { smtpUrl, from: env.KILN_MAIL_FROM || 'Kiln <no-reply@localhost>' };
}
