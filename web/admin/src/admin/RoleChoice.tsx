// The spec's roles as a group of checkboxes (a person may hold several), with the server's complaint
// about them shown under the group.
import { useSession } from '../session.tsx';
import { humanize } from '../spec.ts';

/** The roles a person or key can be given: every role of the spec but "public", which everyone holds. */
export function grantableRoles(roles: Record<string, { description?: string }>): string[] {
  return Object.keys(roles).filter((r) => r !== 'public');
}

export function RoleChoice({ id, legend, value, onChange, error }: { id: string; legend: string; value: string[]; onChange: (roles: string[]) => void; error?: string }) {
  const s = useSession();
  const roles = grantableRoles(s.spec.roles);
  const toggle = (r: string, on: boolean) => onChange(on ? [...value, r].sort((a, b) => roles.indexOf(a) - roles.indexOf(b)) : value.filter((x) => x !== r));
  return (
    <fieldset className="role-choice" aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      {roles.map((r) => (
        <label key={r} className="check">
          <input type="checkbox" checked={value.includes(r)} onChange={(e) => toggle(r, e.target.checked)} />
          <span>
            {humanize(r)}
            {s.spec.roles[r]?.description && <small> — {s.spec.roles[r].description}</small>}
          </span>
        </label>
      ))}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
