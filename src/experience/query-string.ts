// Query strings with bracket nesting (filter[status][_eq]=x). The limits keep a hostile query cheap,
// and a query that cannot be parsed must become a 400 later, never an exception inside the router.
import qs from 'qs';
import { invalidQuery } from '../data/errors.ts';

const UNPARSEABLE = Symbol('kiln.unparseableQuery');

export function parseQueryString(s: string): Record<string, unknown> {
  try {
    // Null-prototype objects keep keys such as constructor or __proto__ as plain data, so the
    // parameter checks refuse them instead of qs dropping them silently.
    return qs.parse(s, { depth: 8, arrayLimit: 100, parameterLimit: 200, plainObjects: true, allowPrototypes: true, allowDots: false });
  } catch {
    return { [UNPARSEABLE]: true };
  }
}

/** The parsed query of a request, or a 400 when it could not be parsed. */
export function queryOf(query: unknown): Record<string, unknown> {
  const q = query as Record<string | symbol, unknown>;
  if (q[UNPARSEABLE]) throw invalidQuery('query', 'cannot be parsed');
  return q as Record<string, unknown>;
}
