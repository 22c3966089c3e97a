// The dry-run migration of a change against the app's real rows: what it copies and checks, what
// would not fit, and the SQL it runs (folded away: most people need the first two).
import { collectionLabel } from '../spec.ts';
import { useSession } from '../session.tsx';
import type { DryRun } from './builder-api.ts';

export function MigrationPlan({ plan }: { plan: DryRun }) {
  const s = useSession();
  const name = (c: string) => (s.spec.collections[c] ? collectionLabel(c, s.spec.collections[c]) : c);
  const sql = plan.steps.filter((x) => x.trim());
  return (
    <div className="plan">
      <p>
        Spec version {plan.fromVersion} → {plan.toVersion ?? plan.fromVersion + 1}, checked in a transaction that was rolled back: nothing has changed yet.
      </p>
      {plan.rows.length > 0 ? (
        <ul className="plan-rows" aria-label="Rows affected">
          {plan.rows.map((r) => (
            <li key={r.collection}>
              {name(r.collection)}: {r.copied} {r.copied === 1 ? 'item' : 'items'} copied and checked
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">No stored items are copied.</p>
      )}
      {plan.failures.length > 0 && (
        <div className="notice notice-error" role="alert">
          <p>
            {plan.failures.length} existing {plan.failures.length === 1 ? 'item does' : 'items do'} not fit the new spec; applying fails until they do:
          </p>
          <ul>
            {plan.failures.map((f, i) => (
              <li key={i}>
                {[f.collection && name(f.collection), f.id, f.field].filter(Boolean).join(' · ')}: {f.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.refused.length > 0 && (
        <div className="notice notice-error" role="alert">
          <p>The migration gate refuses this change:</p>
          <ul>
            {plan.refused.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {sql.length > 0 && (
        <details className="sql">
          <summary>SQL statements ({sql.filter((x) => !x.startsWith('--')).length})</summary>
          {/* Focusable so that a keyboard can scroll long statements, which do not wrap. */}
          <pre className="mono" tabIndex={0} role="region" aria-label="SQL statements, scrollable">
            {sql.map((x) => (x.startsWith('--') ? x : `${x};`)).join('\n')}
          </pre>
        </details>
      )}
    </div>
  );
}
