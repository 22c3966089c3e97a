// A small router over the History API: paths under /admin/, links that navigate without reloading,
// and focus moved to the new page's heading so keyboard and screen-reader users land on it.
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/admin';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, o: { replace?: boolean } = {}): void {
  const url = BASE + path;
  if (o.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The current path below /admin, for example "/t/northwind/articles". */
export function usePath(): string {
  const read = () => location.pathname.slice(BASE.length) || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const l = () => setPath(read());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
}

/** The current query string ("?a=1" or ""), followed through navigate() and back/forward. */
export function useQueryString(): string {
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const l = () => setSearch(location.search);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return search;
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const go = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to} onClick={go} {...rest} />;
}
