// One GET the admin pages show: its data, or why it failed, and a way to load it again. A reload
// keeps the data shown until the new answer arrives, so tables do not blank and jump.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, isAbort, message } from '../api.ts';

export type Resource<T> = { data: T | undefined; error: string | null; status: number | null; loading: boolean; reload: () => void };

export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const abort = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    abort.current?.abort();
    if (path === null) return;
    const ctl = new AbortController();
    abort.current = ctl;
    setLoading(true);
    api<T>(path, { signal: ctl.signal }).then(
      (d) => {
        setData(d);
        setError(null);
        setStatus(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (isAbort(e)) return;
        setError(message(e));
        setStatus(e instanceof ApiError ? e.status : null);
        setLoading(false);
      },
    );
  }, [path]);
  useEffect(() => {
    reload();
    return () => abort.current?.abort();
  }, [reload]);
  return { data, error, status, loading, reload };
}
