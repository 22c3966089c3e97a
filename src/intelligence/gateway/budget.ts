// Token budgets per tenant and calendar month (UTC). A call reserves its estimate before it reaches
// a provider and reconciles with the provider's reported usage afterwards. The reservation is one
// conditional UPDATE, so concurrent calls (in this process or others sharing the database) cannot
// together pass the hard cap: each sees the others' reservations, and the database serializes them.
//
// Limits: KILN_AI_BUDGET_SOFT_TOKENS and KILN_AI_BUDGET_HARD_TOKENS apply to every tenant (unset:
// no limit); a row in kiln_ai_budget_limits overrides them for one tenant (setBudgetLimits).
import { sql } from 'kysely';
import type { StorageDriver } from '../../data/driver.ts';
import { AI_TABLES } from '../../data/ai/ai-tables.ts';

export type BudgetLimits = { softTokens: number | null; hardTokens: number | null };

export type Reservation = { tenant: string; period: string; tokens: number };

export type ReserveResult = { ok: true; reservation: Reservation; soft: boolean; spent: number; limits: BudgetLimits } | { ok: false; spent: number; limits: BudgetLimits };

function tokensFromEnv(env: NodeJS.ProcessEnv, name: string): number | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of tokens, not "${raw}"`);
  return n;
}

export function readBudgetLimits(env: NodeJS.ProcessEnv): BudgetLimits {
  return { softTokens: tokensFromEnv(env, 'KILN_AI_BUDGET_SOFT_TOKENS'), hardTokens: tokensFromEnv(env, 'KILN_AI_BUDGET_HARD_TOKENS') };
}

/** The budget's calendar month, UTC. */
export function budgetPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** A conservative guess before the call: about four characters a token, plus the whole output allowance. */
export function estimateTokens(messages: readonly { content: string }[], maxOutputTokens: number): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4) + maxOutputTokens;
}

export async function setBudgetLimits(driver: StorageDriver, tenant: string, limits: BudgetLimits): Promise<void> {
  await driver.db
    .insertInto(AI_TABLES.budgetLimits)
    .values({ tenant, ...limits })
    .onConflict((oc) => oc.column('tenant').doUpdateSet(limits))
    .execute();
}

export class TokenBudget {
  readonly #driver: StorageDriver;
  readonly #defaults: BudgetLimits;

  constructor(driver: StorageDriver, defaults: BudgetLimits) {
    this.#driver = driver;
    this.#defaults = defaults;
  }

  async limits(tenant: string): Promise<BudgetLimits> {
    const row = await this.#driver.db.selectFrom(AI_TABLES.budgetLimits).select(['softTokens', 'hardTokens']).where('tenant', '=', tenant).executeTakeFirst();
    if (!row) return this.#defaults;
    const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return { softTokens: n(row.softTokens), hardTokens: n(row.hardTokens) };
  }

  /** Tokens used (reconciled) and reserved (in flight) this month. */
  async usage(tenant: string, now: Date): Promise<{ used: number; reserved: number }> {
    const row = await this.#driver.db
      .selectFrom(AI_TABLES.budgetUsage)
      .select(['usedTokens', 'reservedTokens'])
      .where('tenant', '=', tenant)
      .where('period', '=', budgetPeriod(now))
      .executeTakeFirst();
    return { used: Number(row?.usedTokens ?? 0), reserved: Number(row?.reservedTokens ?? 0) };
  }

  /** Reserves `tokens` unless that would take the tenant past its hard cap this month. */
  async reserve(tenant: string, tokens: number, now: Date): Promise<ReserveResult> {
    const limits = await this.limits(tenant);
    const period = budgetPeriod(now);
    const spent = sql<number>`${sql.ref('usedTokens')} + ${sql.ref('reservedTokens')}`;
    const row = await this.#driver.db.transaction().execute(async (trx) => {
      await trx
        .insertInto(AI_TABLES.budgetUsage)
        .values({ tenant, period, reservedTokens: 0, usedTokens: 0 })
        .onConflict((oc) => oc.columns(['tenant', 'period']).doNothing())
        .execute();
      let update = trx
        .updateTable(AI_TABLES.budgetUsage)
        .set({ reservedTokens: sql`${sql.ref('reservedTokens')} + ${tokens}` })
        .where('tenant', '=', tenant)
        .where('period', '=', period);
      // The cap is checked by the UPDATE itself, against the row as it is when this call gets it.
      if (limits.hardTokens !== null) update = update.where(sql<boolean>`${spent} + ${tokens} <= ${limits.hardTokens}`);
      return update.returning(['usedTokens', 'reservedTokens']).executeTakeFirst();
    });
    if (!row) {
      const u = await this.usage(tenant, now);
      return { ok: false, spent: u.used + u.reserved, limits };
    }
    const after = Number(row.usedTokens) + Number(row.reservedTokens);
    return { ok: true, reservation: { tenant, period, tokens }, soft: limits.softTokens !== null && after > limits.softTokens, spent: after, limits };
  }

  /** Replaces the reservation with what the provider reported (0 when the request never ran). */
  async reconcile(reservation: Reservation, usedTokens: number): Promise<void> {
    await this.#driver.db
      .updateTable(AI_TABLES.budgetUsage)
      .set({
        reservedTokens: sql`${sql.ref('reservedTokens')} - ${reservation.tokens}`,
        usedTokens: sql`${sql.ref('usedTokens')} + ${usedTokens}`,
      })
      .where('tenant', '=', reservation.tenant)
      .where('period', '=', reservation.period)
      .execute();
  }
}
