// One collection as a table: columns from the spec, full-text search, filters per field, sort by a
// column header, keyset pagination with "Load more", and bulk actions on chosen rows. What the list
// shows lives in the address bar (list-state.ts). Rows have a fixed height; placeholder rows hold
// the table's place during the first load, and later queries dim the rows already shown, so nothing
// below the table jumps.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, collectionPath, isAbort, message, query } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { Link, navigate, useQueryString } from '../router.tsx';
import { mayIn, useSession } from '../session.tsx';
import { collectionLabel, searchable, titleFieldOf } from '../spec.ts';
import { BulkBar, type Row } from './BulkBar.tsx';
import { fieldsOutOfReach, hiddenFields, mayDelete, transitionsFor } from './caller-rights.ts';
import { FilterPanel } from './FilterPanel.tsx';
import { activeCount, filterDefs, filterFieldOf, filterParams, keysOf } from './filter-defs.ts';
import { cellText, fieldsParam, listColumns } from './list-columns.ts';
import { readListState, withFilter, writeListState, type Filters, type ListState } from './list-state.ts';

type Item = Record<string, unknown> & { id: string };
type Page = { data: Item[]; meta: { next_cursor?: string | null } };
type Failure = { text: string; fields: Record<string, string> };

const PAGE = 20;
const FIRST_LOAD_ROWS = 8;

function failureOf(e: unknown): Failure {
  const fields: Record<string, string> = {};
  if (e instanceof ApiError && e.status === 400) {
    for (const p of e.problem.errors ?? []) {
      const name = filterFieldOf(p.field);
      if (name) fields[name] = fields[name] ? `${fields[name]}; ${p.detail}` : p.detail;
    }
  }
  const details = e instanceof ApiError ? (e.problem.errors ?? []).map((p) => `${p.field}: ${p.detail}`) : [];
  return { text: [message(e), ...details].join(' — '), fields };
}

export function ListView({ tenant, collection }: { tenant: string; collection: string }) {
  const s = useSession();
  const c = s.spec.collections[collection];
  const qs = useQueryString();
  const state = useMemo(() => readListState(qs), [qs]);
  const hidden = useMemo(() => fieldsOutOfReach(s, tenant, collection), [s, tenant, collection]);
  const columns = useMemo(() => listColumns(c, hidden), [c, hidden]);
  const defs = useMemo(() => filterDefs(c, hidden), [c, hidden]);
  const titleField = titleFieldOf(c);
  const stateField = c.workflow?.field;
  const sort = state.sort ?? c.defaultSort ?? '-createdAt';
  const search = state.search;
  const base = `/t/${encodeURIComponent(tenant)}/${collection}`;
  const label = collectionLabel(collection, c);
  const noun = label.toLowerCase();
  const bulk = mayDelete(s, tenant, collection) || transitionsFor(s, tenant, collection).length > 0;

  const go = useCallback((next: ListState, o: { replace?: boolean } = {}) => navigate(base + writeListState(next), o), [base]);
  const setFilters = useCallback((filters: Filters, o?: { replace?: boolean }) => go({ ...readListState(location.search), filters }, o), [go]);

  const [searchInput, setSearchInput] = useState(search);
  useEffect(() => setSearchInput(search), [search]);
  // Typing settles for a moment before a search is sent; the address bar entry is replaced, not added.
  useEffect(() => {
    const words = searchInput.trim();
    if (words === search) return;
    const t = setTimeout(() => go({ ...readListState(location.search), search: words }, { replace: true }), 250);
    return () => clearTimeout(t);
  }, [searchInput, search, go]);

  const fields = useMemo(() => fieldsParam(columns, s.spec, (n) => hiddenFields(s, tenant, n)), [columns, s, tenant]);
  // The request as a string: a new one is sent exactly when it changes.
  const key = JSON.stringify({ limit: PAGE, sort: search ? undefined : sort, search: search || undefined, fields, ...filterParams(defs, state.filters) });

  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState<'first' | 'more' | false>('first');
  const [loadedOnce, setLoadedOnce] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const abort = useRef<AbortController | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      abort.current?.abort();
      const ctl = new AbortController();
      abort.current = ctl;
      setLoading(after ? 'more' : 'first');
      setFailure(null);
      try {
        const params = JSON.parse(key) as Record<string, string | number | undefined>;
        const page = await api<Page>(collectionPath(tenant, collection) + query({ ...params, cursor: after ?? undefined }), { signal: ctl.signal });
        setItems((prev) => (after ? [...prev, ...page.data] : page.data));
        if (!after) {
          const ids = new Set(page.data.map((i) => i.id));
          setSelected((prev) => new Set([...prev].filter((id) => ids.has(id))));
        }
        setCursor(page.meta?.next_cursor ?? null);
        setLoadedOnce(true);
        setLoading(false);
      } catch (e) {
        if (isAbort(e)) return;
        // Rows of another query would read as answers to this one.
        if (!after) {
          setItems([]);
          setCursor(null);
        }
        setFailure(failureOf(e));
        setLoading(false);
      }
    },
    [tenant, collection, key],
  );
  useEffect(() => {
    void load(null);
    return () => abort.current?.abort();
  }, [load]);

  // Titles for related items chosen in filters: picked ones are known, bookmarked ones are looked up.
  const [labels, setLabels] = useState<Record<string, string>>({});
  const addLabel = useCallback((id: string, text: string) => setLabels((prev) => (prev[id] === text ? prev : { ...prev, [id]: text })), []);
  useEffect(() => {
    const ctl = new AbortController();
    for (const d of defs) {
      const id = d.kind === 'relation' ? state.filters[d.name]?.[0] : undefined;
      if (!id || labels[id] || !d.field.to) continue;
      const target = s.spec.collections[d.field.to];
      const t = titleFieldOf(target);
      api<{ data: Record<string, unknown> }>(`${collectionPath(tenant, d.field.to)}/${encodeURIComponent(id)}${query({ fields: t === 'id' ? 'id' : `id,${t}` })}`, { signal: ctl.signal }).then(
        (r) => addLabel(id, typeof r.data[t] === 'string' && r.data[t] ? String(r.data[t]) : id),
        (e: unknown) => !isAbort(e) && addLabel(id, e instanceof ApiError && e.status === 404 ? `${id} (not found)` : id),
      );
    }
    return () => ctl.abort();
  }, [defs, state.filters, labels, s.spec, tenant, addLabel]);

  const toggleSort = (field: string) => go({ ...state, sort: sort === field ? `-${field}` : field });
  const filtered = activeCount(defs, state.filters) > 0;
  const clearFilters = () => {
    let next = state.filters;
    for (const d of defs) for (const k of keysOf(d)) next = withFilter(next, k, []);
    go({ ...state, filters: next });
  };
  const titleOf = (item: Item) => (typeof item[titleField] === 'string' && item[titleField] ? String(item[titleField]) : item.id);
  const rows: Row[] = items.map((i) => ({ id: i.id, title: titleOf(i), state: stateField ? (i[stateField] as string | undefined) : undefined }));
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const stale = loading === 'first' && loadedOnce;
  const placeholders = loading === 'first' && !loadedOnce ? FIRST_LOAD_ROWS : loading === 'more' ? 3 : 0;
  const empty = !loading && !failure && items.length === 0;
  const emptyText = search && filtered ? `Nothing matches “${search}” with these filters.` : search ? `Nothing matches “${search}”.` : filtered ? `No ${noun} match these filters.` : `No ${noun} yet.`;

  return (
    <section aria-labelledby="list-title" className="list-view">
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
            <span>Search {noun}</span>
            <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder="Words to find" />
          </label>
          {search && <p className="hint">Sorted by relevance while searching.</p>}
        </div>
      )}
      {!search && (
        <label className="sort-select">
          <span>Sort by</span>
          <select value={sort} onChange={(e) => go({ ...state, sort: e.target.value })}>
            {!columns.some((col) => col.sortable && (sort === col.name || sort === `-${col.name}`)) && <option value={sort}>Default order</option>}
            {columns
              .filter((col) => col.sortable)
              .flatMap((col) => [
                <option key={col.name} value={col.name}>
                  {col.label} ↑
                </option>,
                <option key={`-${col.name}`} value={`-${col.name}`}>
                  {col.label} ↓
                </option>,
              ])}
          </select>
        </label>
      )}
      <FilterPanel defs={defs} filters={state.filters} tenant={tenant} errors={failure?.fields ?? {}} labels={labels} onChange={setFilters} onLabel={addLabel} />
      {bulk && (
        <BulkBar
          tenant={tenant}
          collection={collection}
          loaded={rows}
          selected={selected}
          onSelect={setSelected}
          onDone={(changed) => {
            setSelected((prev) => new Set([...prev].filter((id) => !changed.includes(id))));
            void load(null);
          }}
        />
      )}
      {failure && (
        <Notice kind="error" retry={() => void load(items.length ? cursor : null)}>
          Could not load {noun}: {failure.text}
        </Notice>
      )}
      <div className="table-wrap">
        <table className={`list${stale ? ' stale' : ''}${bulk ? ' with-select' : ''}`} aria-busy={Boolean(loading)} aria-labelledby="list-title" aria-describedby="list-count">
          <thead>
            <tr>
              {bulk && (
                <th scope="col" className="select">
                  <span className="visually-hidden">Selected</span>
                </th>
              )}
              {columns.map((col) => {
                const dir = sort === col.name ? 'ascending' : sort === `-${col.name}` ? 'descending' : undefined;
                return (
                  <th key={col.name} scope="col" className={col.title ? 'title' : undefined} aria-sort={search ? undefined : dir}>
                    {col.sortable && !search ? (
                      <button type="button" className="sort" onClick={() => toggleSort(col.name)}>
                        {col.label}
                        <span aria-hidden="true">{dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      col.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const title = titleOf(item);
              return (
                <tr key={item.id} className={selected.has(item.id) ? 'chosen' : undefined}>
                  {bulk && (
                    <td className="select">
                      <input type="checkbox" aria-label={`Select ${title}`} checked={selected.has(item.id)} onChange={() => toggle(item.id)} />
                    </td>
                  )}
                  {columns.map((col, i) => {
                    const text = cellText(col, item[col.name], s.spec);
                    return (
                      <td key={col.name} data-label={col.label} title={i === 0 || text === '—' ? undefined : text} className={`type-${col.field.type}${col.title ? ' title' : ''}${stateField === col.name ? ' state-cell' : ''}`}>
                        {i === 0 ? (
                          <Link to={`${base}/${item.id}`}>{col.title ? title : text === '—' ? item.id : text}</Link>
                        ) : stateField === col.name && typeof item[col.name] === 'string' ? (
                          <span className={`state state-${String(item[col.name])}`}>{text}</span>
                        ) : (
                          text
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {Array.from({ length: placeholders }, (_, i) => (
              <tr key={`skeleton-${i}`} className="skeleton" aria-hidden="true">
                {bulk && (
                  <td className="select">
                    <span />
                  </td>
                )}
                {columns.map((col) => (
                  <td key={col.name} data-label={col.label}>
                    <span />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="list-foot">
        <p id="list-count" className="hint" role="status">
          {loading ? 'Loading…' : failure ? '' : empty ? emptyText : `${items.length} shown${cursor ? ', more available' : ''}.`}
        </p>
        {empty && filtered && (
          <button type="button" onClick={clearFilters}>
            Clear filters and show all {noun}
          </button>
        )}
        {cursor && !loading && !failure && (
          <button type="button" onClick={() => void load(cursor)}>
            Load more
          </button>
        )}
      </div>
    </section>
  );
}
