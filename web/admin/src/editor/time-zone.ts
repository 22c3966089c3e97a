// Datetimes are stored as UTC instants and edited in the browser's own zone; these say which zone
// that is and what a local value becomes, so nobody has to guess.

/** The browser's time zone, e.g. "Europe/Berlin (UTC+01:00)". */
export function localZone(at = new Date()): string {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  const minutes = -at.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const offset = `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return name === 'UTC' || name === 'Etc/UTC' ? 'UTC' : `${name} (${offset})`;
}

/** A datetime-local value as the UTC time it is saved as ("2026-01-31 08:30 UTC"), or ''. */
export function utcText(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
