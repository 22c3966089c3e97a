// Every request the admin UI makes goes through here: same-origin fetch with the session cookie, or
// the operator's root token when they signed in with it. Errors come back as ApiError carrying the
// API's problem+json (or better-auth's {code, message}), so pages can show what the server said.
export type FieldProblem = { field: string; detail: string };
export type Problem = { title?: string; status?: number; detail?: string; errors?: FieldProblem[]; code?: string; message?: string };

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.message ?? problem.title ?? `The server answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
  /** Field name → message, from `errors[].field` ("tags.0" belongs to "tags"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const field = e.field.split('.')[0];
      if (field) out[field] = out[field] ? `${out[field]}; ${e.detail}` : e.detail;
    }
    return out;
  }
}

const TOKEN_KEY = 'kiln.admin.rootToken';

/** The root token lives for this browser tab only (sessionStorage), never in a cookie. */
export function rootToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setRootToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export type RequestOptions = { method?: string; body?: unknown; form?: FormData | URLSearchParams; signal?: AbortSignal; token?: string | null };

export async function api<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = o.token === undefined ? rootToken() : o.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (o.form) body = o.form;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: o.signal, credentials: 'same-origin' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text.slice(0, 200) };
    }
  }
  if (!res.ok) throw new ApiError(res.status, (parsed ?? {}) as Problem);
  return parsed as T;
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `/api/t/{tenant}/{collection}`, with every segment encoded. */
export function collectionPath(tenant: string, collection: string): string {
  return `/api/t/${encodeURIComponent(tenant)}/${encodeURIComponent(collection)}`;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
