// Turns content changes into queued deliveries, inside the change's own transaction: a change that
// commits always has its deliveries queued, and one that rolls back never had any.
import type { JobQueue } from '../queue/job-queue.ts';
import { newId } from '../ids.ts';
import { SYSTEM_TABLES } from '../model.ts';
import type { ChangeListener, Store } from '../store.ts';
import { PUBLIC_ROLE, accessOf, type Actor } from '../access.ts';
import { decodeSubscription, matches } from './subscriptions.ts';
import { WEBHOOK_TABLES } from './tables.ts';

export const DELIVER_WEBHOOK = 'webhook.deliver';

/** What a delivery job holds: the body is rendered once, when the change happens, and signed per attempt. */
export type DeliveryJob = {
  webhook: string;
  /** The webhook-id header: the same for every attempt and every subscription, so receivers can deduplicate. */
  messageId: string;
  event: string;
  body: string;
};

export function attachWebhooks(store: Store, queue: JobQueue): void {
  store.onChange(webhookListener(store, queue));
}

export function webhookListener(store: Store, queue: JobQueue): ChangeListener {
  const { driver } = store;
  // Tenants are never renamed, so the slug for the payload can be cached.
  const slugs = new Map<string, string>();
  return async (trx, change) => {
    const rows = await trx.selectFrom(WEBHOOK_TABLES.subscriptions).selectAll().where('tenant', '=', change.tenantId).where('disabledAt', 'is', null).execute();
    const targets = rows.filter((r) => matches(decodeSubscription(driver, r), change.collection, change.type));
    if (targets.length === 0) return;
    let tenant = slugs.get(change.tenantId);
    if (tenant === undefined) {
      const t = await trx.selectFrom(SYSTEM_TABLES.tenants).select('slug').where('id', '=', change.tenantId).executeTakeFirstOrThrow();
      slugs.set(change.tenantId, (tenant = t.slug as string));
    }
    const event = `${change.collection}.${change.type}`;
    const messageId = `msg_${newId()}`;
    // One body per role (null: the full item), rendered once however many subscriptions share it.
    const bodies = new Map<string | null, string | undefined>();
    for (const r of targets) {
      const role = (r.role as string | null | undefined) ?? null;
      if (!bodies.has(role)) {
        const item = role === null ? change.data : payloadFor(store, role, tenant, change);
        bodies.set(
          role,
          item === undefined ? undefined : JSON.stringify({ type: event, timestamp: change.at, data: { tenant, collection: change.collection, id: change.itemId, revision: change.revision, item } }),
        );
      }
      const body = bodies.get(role);
      if (body === undefined) continue;
      const payload: DeliveryJob = { webhook: r.id as string, messageId, event, body };
      await queue.enqueue(trx, { kind: DELIVER_WEBHOOK, payload });
    }
  };
}

/**
 * What a subscription bound to a role may be told about a change, by the same rules as that role's
 * reads: nothing (undefined) when the role may not read the collection, reads only its own items (a
 * subscription owns none), or reads only the published view and the change is to a draft; otherwise
 * the item without the role's hidden fields.
 */
function payloadFor(store: Store, role: string, tenant: string, change: Parameters<ChangeListener>[1]): Record<string, unknown> | null | undefined {
  const actor: Actor = role === PUBLIC_ROLE ? { kind: 'anonymous' } : { kind: 'user', id: `webhook:${role}`, roles: [role] };
  const access = accessOf(store.spec, actor, tenant);
  const cm = store.model.collections.get(change.collection);
  if (!cm || access.rows('read', cm.name) === null) return undefined;
  const plan = store.readPlan(actor, cm, tenant);
  if (plan.owner !== undefined) return undefined;
  if (plan.view.kind === 'live' && !PUBLISHED_CHANGES.has(change.type)) return undefined;
  if (change.data === null) return null;
  const hidden = access.hidden(cm.name);
  return Object.fromEntries(Object.entries(change.data).filter(([k]) => !hidden.has(k)));
}

/**
 * The changes a reader of the published view is told about: an item appearing, changing or going
 * away there. A delete carries no content (only the id, which may be of a never-published draft).
 */
const PUBLISHED_CHANGES = new Set(['publish', 'unpublish', 'delete']);
