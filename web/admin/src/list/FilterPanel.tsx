// The "Filters" area of a list: a control per filterable field (status chips, choices, yes/no/any,
// from–to ranges, a related item), open on wide screens and folded away on phones. Each change goes
// straight to the address bar through onChange; typed numbers settle for a moment first.
import { useEffect, useId, useRef, useState } from 'react';
import { RelationPicker } from '../editor/RelationPicker.tsx';
import type { Picked } from '../editor/form-values.ts';
import { humanize } from '../spec.ts';
import { activeCount, keysOf, type FilterDef } from './filter-defs.ts';
import { first, withFilter, type Filters } from './list-state.ts';

type Props = {
  defs: FilterDef[];
  filters: Filters;
  tenant: string;
  /** Problems the server named per field (from a 400). */
  errors: Record<string, string>;
  /** Titles of related items chosen in relation filters, by id. */
  labels: Record<string, string>;
  onChange: (next: Filters, o?: { replace?: boolean }) => void;
  /** A related item was picked: its title, so the control can show it. */
  onLabel: (id: string, label: string) => void;
};

const wide = () => typeof matchMedia === 'function' && matchMedia('(min-width: 721px)').matches;

export function FilterPanel(p: Props) {
  const id = useId();
  const [open, setOpen] = useState(wide);
  const active = activeCount(p.defs, p.filters);
  if (p.defs.length === 0) return null;
  const clear = () => {
    let next = p.filters;
    for (const d of p.defs) for (const k of keysOf(d)) next = withFilter(next, k, []);
    p.onChange(next);
  };
  return (
    <section className="filters" aria-label="Filters">
      <div className="filters-head">
        <button type="button" className="filters-toggle" aria-expanded={open} aria-controls={`${id}-panel`} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Filters{active ? ` (${active} active)` : ''}
        </button>
        {active > 0 && (
          <button type="button" className="link-button" onClick={clear}>
            Clear filters
          </button>
        )}
      </div>
      <div id={`${id}-panel`} className="filters-grid" hidden={!open}>
        {p.defs.map((d) => (
          <FilterControl key={d.name} def={d} {...p} />
        ))}
      </div>
    </section>
  );
}

function FilterControl({ def: d, filters, tenant, errors, labels, onChange, onLabel }: Props & { def: FilterDef }) {
  const id = `filter-${d.name}`;
  const error = errors[d.name];
  const errorId = `${id}-error`;
  const set = (key: string, values: string[], o?: { replace?: boolean }) => onChange(withFilter(filters, key, values), o);
  const invalid = error ? true : undefined;
  const described = error ? errorId : undefined;
  const problem = error && (
    <p id={errorId} className="field-error">
      {error}
    </p>
  );
  const chosen = filters[d.name] ?? [];

  switch (d.kind) {
    case 'status':
    case 'enum': {
      const toggle = (v: string) => set(d.name, chosen.includes(v) ? chosen.filter((x) => x !== v) : [...chosen, v]);
      return (
        <fieldset className={`filter filter-choices${d.kind === 'status' ? ' filter-status' : ''}`} aria-describedby={described}>
          <legend>{d.label}</legend>
          <div className="chip-toggles">
            {(d.field.values ?? []).map((v) =>
              d.kind === 'status' ? (
                <button key={v} type="button" className="chip-toggle" aria-pressed={chosen.includes(v)} onClick={() => toggle(v)}>
                  <span className="tick" aria-hidden="true">
                    ✓
                  </span>
                  {humanize(v)}
                </button>
              ) : (
                <label key={v} className="check">
                  <input type="checkbox" checked={chosen.includes(v)} onChange={() => toggle(v)} />
                  {humanize(v)}
                </label>
              ),
            )}
          </div>
          {problem}
        </fieldset>
      );
    }
    case 'contains':
    case 'boolean': {
      const options = d.kind === 'boolean' ? [['yes', 'Yes'], ['no', 'No']] : (d.field.values ?? []).map((v) => [v, humanize(v)]);
      return (
        <div className="filter">
          <label htmlFor={id}>{d.label}</label>
          <select id={id} value={first(filters, d.name)} aria-invalid={invalid} aria-describedby={described} onChange={(e) => set(d.name, [e.target.value])}>
            <option value="">Any</option>
            {options.map(([v, text]) => (
              <option key={v} value={v}>
                {text}
              </option>
            ))}
            {first(filters, d.name) && !options.some(([v]) => v === first(filters, d.name)) && <option value={first(filters, d.name)}>{first(filters, d.name)}</option>}
          </select>
          {problem}
        </div>
      );
    }
    case 'relation': {
      const chosenId = first(filters, d.name);
      const value: Picked | null = chosenId ? { id: chosenId, label: labels[chosenId] ?? 'Loading…' } : null;
      return (
        <div className="filter filter-relation">
          <RelationPicker
            id={id}
            label={d.label}
            describedBy={described}
            field={{ ...d.field, many: false, required: false }}
            value={value}
            tenant={tenant}
            error={error}
            onChange={(v) => {
              const picked = v && !Array.isArray(v) && typeof v === 'object' ? v : null;
              if (picked) onLabel(picked.id, picked.label);
              set(d.name, picked ? [picked.id] : []);
            }}
          />
          {problem}
        </div>
      );
    }
    case 'date':
    case 'datetime':
    case 'number': {
      const numeric = d.kind === 'number';
      const [lo, hi] = numeric ? ['Min', 'Max'] : ['From', 'To'];
      return (
        <fieldset className="filter filter-range" aria-describedby={described}>
          <legend>{d.label}</legend>
          <div className="range-row">
            {(['min', 'max'] as const).map((end) => (
              <label key={end}>
                <span>{end === 'min' ? lo : hi}</span>
                <SettlingInput
                  type={numeric ? 'number' : 'date'}
                  step={numeric ? (d.field.type === 'integer' ? 1 : 'any') : undefined}
                  ariaLabel={`${d.label} ${(end === 'min' ? lo : hi).toLowerCase()}`}
                  invalid={invalid}
                  value={first(filters, `${d.name}.${end}`)}
                  onCommit={(v, replace) => set(`${d.name}.${end}`, [v], { replace })}
                />
              </label>
            ))}
          </div>
          {problem}
        </fieldset>
      );
    }
  }
}

/** An input whose typed value reaches the address bar once typing pauses (replacing the entry, so Back skips keystrokes). */
function SettlingInput(p: { type: string; step?: number | string; ariaLabel: string; invalid?: boolean; value: string; onCommit: (v: string, replace: boolean) => void }) {
  const [draft, setDraft] = useState(p.value);
  useEffect(() => setDraft(p.value), [p.value]);
  // The latest callback, so a parent's re-render does not restart the pause.
  const commit = useRef(p.onCommit);
  commit.current = p.onCommit;
  const { value, type } = p;
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => commit.current(draft, type === 'number'), type === 'number' ? 450 : 0);
    return () => clearTimeout(t);
  }, [draft, value, type]);
  return <input type={p.type} step={p.step} inputMode={p.type === 'number' ? 'decimal' : undefined} aria-label={p.ariaLabel} aria-invalid={p.invalid} value={draft} onChange={(e) => setDraft(e.target.value)} />;
}
