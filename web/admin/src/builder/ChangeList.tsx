// A spec diff as people read it: grouped by collection, each change with its class as a labelled
// badge (text, not colour alone) and the reason it has that class.
import { useSession } from '../session.tsx';
import { collectionLabel } from '../spec.ts';
import { CLASS_LABEL, type SpecChange } from './builder-api.ts';

const APP = '';

export function ChangeList({ changes }: { changes: SpecChange[] }) {
  const s = useSession();
  const groups = new Map<string, SpecChange[]>();
  for (const c of changes) {
    const key = c.collection ?? APP;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const title = (key: string) => {
    if (key === APP) return 'The app';
    const known = s.spec.collections[key];
    return known ? collectionLabel(key, known) : key;
  };
  return (
    <div className="change-groups">
      {[...groups].map(([key, list]) => (
        <section key={key || '(app)'} className="change-group" aria-label={title(key)}>
          <h3>{title(key)}</h3>
          <ul className="changes">
            {list.map((c, i) => (
              <li key={i}>
                <span className={`badge badge-${c.class}`}>{CLASS_LABEL[c.class]}</span>
                <span className="change-text">
                  <span>{c.summary}</span>
                  <small>{c.reason}</small>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
