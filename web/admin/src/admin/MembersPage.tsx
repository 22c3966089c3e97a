// A tenant's people: members and their roles (changed with the spec's roles, removed after asking),
// pending invitations (cancelled after asking), and inviting someone by email. Root may also add an
// existing account directly. The server decides; what it says appears beside the field it names.
import { useState, type FormEvent } from 'react';
import { api, ApiError, message } from '../api.ts';
import { Notice } from '../Notice.tsx';
import { useSession } from '../session.tsx';
import { humanize } from '../spec.ts';
import { AdminGate, NotAllowed } from './AdminGate.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { RoleChoice } from './RoleChoice.tsx';
import { useResource } from './useResource.ts';

type Member = { userId: string; email: string; name: string; roles: string[]; createdAt: string };
type Invitation = { id: string; email: string; roles: string[]; status: string; expiresAt: string };

const roleList = (roles: string[]) => roles.map(humanize).join(', ') || '—';

export function MembersPage({ tenant }: { tenant: string }) {
  return (
    <AdminGate tenant={tenant} page="members" title="Members">
      <Members tenant={tenant} />
    </AdminGate>
  );
}

function Members({ tenant }: { tenant: string }) {
  const base = `/api/tenants/${encodeURIComponent(tenant)}`;
  const members = useResource<{ data: Member[] }>(`${base}/members`);
  const invitations = useResource<{ data: Invitation[] }>(`${base}/invitations`);
  const [done, setDone] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  if (members.status === 403) return <NotAllowed title="Members" />;

  const act = async (key: string, work: () => Promise<unknown>, ok: string) => {
    setBusy(key);
    setDone(null);
    setFailed(null);
    try {
      await work();
      setDone(ok);
      members.reload();
      invitations.reload();
    } catch (e) {
      setFailed(message(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="admin-title" className="admin-page">
      <h1 id="admin-title" tabIndex={-1}>
        Members
      </h1>
      <p className="hint">People of {tenant} and the roles they hold here.</p>
      <div className="admin-feedback" aria-live="polite">
        {done && <p className="notice notice-ok">{done}</p>}
      </div>
      {failed && <Notice kind="error">{failed}</Notice>}

      {members.error && !members.data ? (
        <Notice kind="error" retry={members.reload}>
          Could not load the members: {members.error}
        </Notice>
      ) : !members.data ? (
        <Notice kind="loading">Loading members…</Notice>
      ) : members.data.data.length === 0 ? (
        <p>No members yet. Invite someone below.</p>
      ) : (
        <ul className="member-list" aria-label="Members" aria-busy={members.loading}>
          {members.data.data.map((m) => (
            <MemberRow key={m.userId} m={m} tenant={tenant} busy={busy === m.userId} act={act} base={base} />
          ))}
        </ul>
      )}

      <h2>Pending invitations</h2>
      {invitations.error && !invitations.data ? (
        <Notice kind="error" retry={invitations.reload}>
          Could not load the invitations: {invitations.error}
        </Notice>
      ) : !invitations.data ? (
        <Notice kind="loading">Loading invitations…</Notice>
      ) : invitations.data.data.length === 0 ? (
        <p className="hint">No pending invitations.</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table" aria-label="Pending invitations">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.data.data.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{roleList(i.roles)}</td>
                  <td>{new Date(i.expiresAt).toLocaleString()}</td>
                  <td>
                    <ConfirmButton
                      label="Cancel invitation"
                      name={`Cancel invitation to ${i.email}`}
                      question={`Cancel the invitation to ${i.email}?`}
                      confirmLabel="Cancel invitation"
                      busy={busy === i.id}
                      onConfirm={() => void act(i.id, () => api(`${base}/invitations/${i.id}`, { method: 'DELETE' }), `The invitation to ${i.email} was cancelled.`)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <InviteForm
        base={base}
        onInvited={(text) => {
          setDone(text);
          setFailed(null);
          members.reload();
          invitations.reload();
        }}
      />
    </section>
  );
}

function MemberRow({ m, tenant, busy, act, base }: { m: Member; tenant: string; busy: boolean; act: (key: string, work: () => Promise<unknown>, ok: string) => Promise<void>; base: string }) {
  const s = useSession();
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState(m.roles);
  const [error, setError] = useState<string | undefined>();
  const who = m.name && m.name !== m.email ? `${m.name} (${m.email})` : m.email;
  const self = s.me.kind === 'user' && s.me.id === m.userId;
  const headingId = `member-${m.userId}`;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api(`${base}/members/${m.userId}`, { method: 'PUT', body: { roles } });
      setEditing(false);
      await act(m.userId, async () => undefined, `Saved: ${m.email} now holds ${roleList(roles)} in ${tenant}.`);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors().roles ?? err.message) : message(err));
    }
  };

  return (
    <li className="member" aria-labelledby={headingId}>
      <div className="member-main">
        <div>
          <strong id={headingId}>{who}</strong>
          {self && <span className="hint"> (you)</span>}
          <div className="hint">Roles: {roleList(m.roles)}</div>
        </div>
        {!editing && (
          <div className="actions">
            <button type="button" onClick={() => { setRoles(m.roles); setEditing(true); }} aria-label={`Change roles of ${m.email}`}>
              Change roles
            </button>
            <ConfirmButton
              label="Remove"
              name={`Remove ${m.email}`}
              question={self ? `Remove yourself from ${tenant}? You will lose access.` : `Remove ${m.email} from ${tenant}?`}
              confirmLabel="Remove member"
              busy={busy}
              onConfirm={() => void act(m.userId, () => api(`${base}/members/${m.userId}`, { method: 'DELETE' }), `${m.email} was removed from ${tenant}.`)}
            />
          </div>
        )}
      </div>
      {editing && (
        <form className="member-edit" onSubmit={(e) => void save(e)} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
          <RoleChoice id={`roles-${m.userId}`} legend={`Roles of ${m.email}`} value={roles} onChange={setRoles} error={error} />
          {self && !roles.includes('admin') && m.roles.includes('admin') && <p className="hint">Without the admin role you will no longer manage this tenant's people.</p>}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save roles
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

function InviteForm({ base, onInvited }: { base: string; onInvited: (text: string) => void }) {
  const s = useSession();
  const [email, setEmail] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [direct, setDirect] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSending(true);
    setErrors({});
    setFormError(null);
    try {
      const address = email.trim();
      await api(`${base}/${direct ? 'members' : 'invitations'}`, { method: 'POST', body: { email: address, roles } });
      setEmail('');
      setRoles([]);
      onInvited(direct ? `${address} was added as a member.` : `An invitation was mailed to ${address}.`);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setErrors(fields);
      if (!fields.email && !fields.roles) setFormError(message(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="admin-form" aria-labelledby="invite-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="invite-title">Invite someone</h2>
      <div className="field">
        <label htmlFor="invite-email">Email</label>
        <input
          id="invite-email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={errors.email ? true : undefined}
          aria-describedby={errors.email ? 'invite-email-error' : 'invite-email-hint'}
        />
        {errors.email ? (
          <p id="invite-email-error" className="field-error">
            {errors.email}
          </p>
        ) : (
          <small id="invite-email-hint">{direct ? 'The address of an existing account.' : 'They get a mail with a link; they join after signing in with this address.'}</small>
        )}
      </div>
      <RoleChoice id="invite-roles" legend="Roles" value={roles} onChange={setRoles} error={errors.roles} />
      {s.me.kind === 'root' && (
        <label className="check">
          <input type="checkbox" checked={direct} onChange={(e) => setDirect(e.target.checked)} />
          <span>Add an existing account directly, without an invitation</span>
        </label>
      )}
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={sending}>
          {sending ? 'Sending…' : direct ? 'Add member' : 'Invite'}
        </button>
      </div>
    </form>
  );
}
