// One collection as a table: columns from the spec, full-text search, sort by a column header,
// keyset pagination with "Load more". Rows have a fixed height and placeholder rows stand in while a
// page loads, so nothing below the table jumps.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, collectionPath, isAbort, message, query } from '../api.ts';
import { formatValue } from '../format.ts';
import { Link } from '../router.tsx';
import { mayIn, useSession } from '../session.tsx';
import { collectionLabel, fieldLabel, listColumns, searchable, sortable, titleFieldOf } from '../spec.ts';

type Item = Record<string, unknown> & { id: string };
type Page = { data: Item[]; meta: { next_cursor?: string | null } };

const PAGE = 20;

export function ListView({ tenant, collection }: { tenant: string; collection: string }) {
  const s = useSession();
  const c = s.spec.collections[collection];
  const columns = listColumns(c);
  const title = titleFieldOf(c);
  const [sort, setSort] = useState<string>(c.defaultSort ?? '-createdAt');
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  // Typing settles for a moment before a search is sent.
  useEffect(() => {
    const t = setTimeout(() => setSearch(searchInput.trim()), 250);
    return () => clearTimeout(t);
  }, [searchInput]);

  const load = useCallback(
    async (after: string | null) => {
      abort.current?.abort();
      const ctl = new AbortController();
      abort.current = ctl;
      setLoading(true);
      setError(null);
      if (!after) setItems([]);
      try {
        const page = await api<Page>(collectionPath(tenant, collection) + query({ limit: PAGE, sort: search ? undefined : sort, search: search || undefined, cursor: after ?? undefined }), { signal: ctl.signal });
        setItems((prev) => (after ? [...prev, ...page.data] : page.data));
        setCursor(page.meta?.next_cursor ?? null);
        setLoading(false);
      } catch (e) {
        if (isAbort(e)) return;
        setError(message(e));
        setLoading(false);
      }
    },
    [tenant, collection, sort, search],
  );
  useEffect(() => {
    void load(null);
    return () => abort.current?.abort();
  }, [load]);

  const toggleSort = (field: string) => setSort((cur) => (cur === field ? `-${field}` : field));
  const label = collectionLabel(collection, c);
  const base = `/t/${encodeURIComponent(tenant)}/${collection}`;

  return (
    <section aria-labelledby="list-title">
      <div className="page-head">
        <h1 id="list-title" tabIndex={-1}>
          {label}
        </h1>
        {mayIn(s, tenant, collection, 'create') && (
          <Link className="button primary" to={`${base}/new`}>
            New {label.replace(/s$/, '').toLowerCase()}
          </Link>
        )}
      </div>
      {searchable(c) && (
        <div className="toolbar" role="search">
          <label className="search">
            <span>Search {label.toLowerCase()}</span>
            <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder="Words to find" />
          </label>
          {search && <p className="hint">Sorted by relevance while searching.</p>}
        </div>
      )}
      {error && (
        <div className="notice notice-error" role="alert">
          <p>Could not load {label.toLowerCase()}: {error}</p>
          <button type="button" onClick={() => void load(items.length ? cursor : null)}>
            Try again
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table className="list" aria-busy={loading} aria-describedby="list-count">
          <thead>
            <tr>
              {columns.map((col) => {
                const f = c.fields[col];
                const dir = sort === col ? 'ascending' : sort === `-${col}` ? 'descending' : undefined;
                return (
                  <th key={col} scope="col" aria-sort={search ? undefined : dir}>
                    {f && sortable(f) && !search ? (
                      <button type="button" className="sort" onClick={() => toggleSort(col)}>
                        {fieldLabel(col, f)}
                        <span aria-hidden="true">{dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      (f ? fieldLabel(col, f) : col)
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                {columns.map((col, i) => (
                  <td key={col} className={`type-${c.fields[col]?.type ?? 'id'}`}>
                    {i === 0 ? <Link to={`${base}/${item.id}`}>{col === title && item[col] ? String(item[col]) : formatValue(c.fields[col], item[col]) === '—' ? item.id : formatValue(c.fields[col], item[col])}</Link> : formatValue(c.fields[col], item[col])}
                  </td>
                ))}
              </tr>
            ))}
            {loading &&
              Array.from({ length: items.length ? 3 : 8 }, (_, i) => (
                <tr key={`skeleton-${i}`} className="skeleton" aria-hidden="true">
                  {columns.map((col) => (
                    <td key={col}>
                      <span />
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <p id="list-count" className="hint" role="status">
        {loading ? 'Loading…' : items.length === 0 && !error ? (search ? `Nothing matches “${search}”.` : `No ${label.toLowerCase()} yet.`) : `${items.length} shown${cursor ? ', more available' : ''}.`}
      </p>
      {cursor && !loading && (
        <button type="button" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
