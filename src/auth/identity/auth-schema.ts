// What better-auth stores and where: its models under kiln_auth_* names (so they can never collide
// with a collection: spec names starting with "kiln" are refused) in the app's own database. The
// runtime instance and the table setup read the same options, so they always agree on the tables.
import type { BetterAuthOptions, BetterAuthPlugin } from 'better-auth';
import { passkey } from '@better-auth/passkey';
import { organization, twoFactor } from 'better-auth/plugins';
import type { AnyDB, StorageDriver } from '../../data/driver.ts';
import { newId } from '../../data/ids.ts';

export const AUTH_TABLES = {
  user: 'kiln_auth_user',
  session: 'kiln_auth_session',
  account: 'kiln_auth_account',
  verification: 'kiln_auth_verification',
  twoFactor: 'kiln_auth_two_factor',
  organization: 'kiln_auth_organization',
  member: 'kiln_auth_member',
  invitation: 'kiln_auth_invitation',
  passkey: 'kiln_auth_passkey',
} as const;

/** The table names of the plugin models; the runtime plugins (identity.ts) are built with the same. */
export const ORGANIZATION_SCHEMA = {
  organization: { modelName: AUTH_TABLES.organization },
  member: { modelName: AUTH_TABLES.member },
  invitation: { modelName: AUTH_TABLES.invitation },
} as const;
export const TWO_FACTOR_TABLE = AUTH_TABLES.twoFactor;

/**
 * The plugins whose tables setup creates: two-factor (TOTP secrets, recovery codes), organization
 * (tenants' members and invitations) and passkey (WebAuthn credentials; created whatever the spec
 * says, so turning passkeys on later needs no migration). Table shapes do not depend on the runtime
 * options, so these bare instances describe the same tables the configured ones use.
 */
export function identityPlugins(): BetterAuthPlugin[] {
  return [twoFactor({ twoFactorTable: TWO_FACTOR_TABLE }), organization({ schema: ORGANIZATION_SCHEMA }), passkey({ schema: { passkey: { modelName: AUTH_TABLES.passkey } } })];
}

export function authSchemaOptions(db: AnyDB, driver: StorageDriver, plugins: BetterAuthPlugin[] = identityPlugins()): BetterAuthOptions {
  return {
    database: { db, type: driver.dialect, transaction: true },
    user: { modelName: AUTH_TABLES.user },
    // viaPasskey: made by a passkey sign-in, which counts as multi-factor (passkey-sign-in.ts).
    session: { modelName: AUTH_TABLES.session, additionalFields: { viaPasskey: { type: 'boolean', required: false, input: false } } },
    account: { modelName: AUTH_TABLES.account },
    verification: { modelName: AUTH_TABLES.verification },
    // Time-ordered UUIDs like every other Kiln row.
    advanced: { database: { generateId: () => newId() } },
    plugins,
    telemetry: { enabled: false },
    logger: { level: 'error' },
  };
}
