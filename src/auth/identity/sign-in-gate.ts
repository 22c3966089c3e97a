// Who may become or stay a user, checked by better-auth (user.validateUserInfo) before it creates a
// user, links a provider account or signs someone in through a provider:
// - a provider restricted to tenants (auth.providers[].tenants) admits only people who are members
//   of one of those tenants, or hold a pending invitation to one (they accept it once signed in);
//   everyone else is sent back to the error URL with error=not_a_member. Nobody becomes a member
//   just by signing in: membership comes from invitations or root, so a role is always chosen by
//   a person.
// - with auth.signUp "invite", an account is created only for an address holding a pending
//   invitation (error=invitation_required); "closed" creates none (error=sign_up_closed).
import { getCurrentAdapter, type DBTransactionAdapter } from 'better-auth';
import type { Spec } from '../../spec/schema.ts';
import { providerBySignInId, type ExternalProvider } from './external-providers.ts';

export type GateInput = { user: { email?: unknown }; source: { action: string; method: string; oauth?: { providerId: string } } };
export type GateResult = { error: string; errorDescription?: string } | undefined;

type Row = { id: string; expiresAt?: Date | string | number };

// Queries go through better-auth's adapter for the current transaction: the gate runs inside the
// transaction that creates the user, and SQLite's one connection would wait on itself otherwise.
export function signInGate(spec: Spec, providers: readonly ExternalProvider[]): (data: GateInput, context: { context: { adapter: DBTransactionAdapter } }) => Promise<GateResult> {
  const signUp = spec.auth?.signUp ?? 'open';

  const organizations = async (db: DBTransactionAdapter, tenants: readonly string[]) =>
    (await db.findMany<Row>({ model: 'organization', where: [{ field: 'slug', value: [...tenants], operator: 'in' }] })).map((o) => o.id);
  const isMember = async (db: DBTransactionAdapter, email: string, orgs: string[]) => {
    const user = await db.findOne<Row>({ model: 'user', where: [{ field: 'email', value: email }] });
    if (!user || orgs.length === 0) return false;
    return Boolean(await db.findOne<Row>({ model: 'member', where: [{ field: 'userId', value: user.id }, { field: 'organizationId', value: orgs, operator: 'in' }] }));
  };
  const isInvited = async (db: DBTransactionAdapter, email: string, orgs?: string[]) => {
    if (orgs?.length === 0) return false;
    const where = [{ field: 'email', value: email }, { field: 'status', value: 'pending' }, ...(orgs ? [{ field: 'organizationId', value: orgs, operator: 'in' as const }] : [])];
    const rows = await db.findMany<Row>({ model: 'invitation', where });
    return rows.some((r) => r.expiresAt !== undefined && new Date(r.expiresAt).getTime() > Date.now());
  };

  return async ({ user, source }, ctx) => {
    const db = await getCurrentAdapter(ctx.context.adapter);
    const email = typeof user.email === 'string' ? user.email.toLowerCase() : '';
    if (source.action === 'create-user') {
      if (signUp === 'closed') return { error: 'sign_up_closed', errorDescription: 'This app does not create accounts' };
      if (signUp === 'invite' && !(await isInvited(db, email))) return { error: 'invitation_required', errorDescription: 'An account is created only for an invited address' };
    }
    const provider = source.oauth && providerBySignInId(providers, source.oauth.providerId);
    if (provider?.tenants) {
      const orgs = await organizations(db, provider.tenants);
      if (!(await isMember(db, email, orgs)) && !(await isInvited(db, email, orgs))) {
        return { error: 'not_a_member', errorDescription: `${provider.label} sign-in is for members of ${provider.tenants.join(', ')}` };
      }
    }
    return undefined;
  };
}
