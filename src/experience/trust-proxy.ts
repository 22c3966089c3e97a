// Behind a reverse proxy every request comes from the proxy's address, so rate limits and the audit
// log would see one client. KILN_TRUST_PROXY tells Fastify which proxies' X-Forwarded-For to believe;
// unset, the header is ignored (a client could otherwise name any address it likes).

/** Fastify's `trustProxy`: false, true (any proxy), or the proxies' addresses/CIDRs. */
export type TrustProxy = boolean | string;

export function readTrustProxy(env: NodeJS.ProcessEnv = process.env): TrustProxy {
  const raw = env.KILN_TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p))) {
    throw new Error(`KILN_TRUST_PROXY must be "true" or comma-separated proxy addresses or CIDRs, not "${raw}"`);
  }
  return parts.join(',');
}
