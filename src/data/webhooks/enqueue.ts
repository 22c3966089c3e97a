// Turns content changes into queued deliveries, inside the change's own transaction: a change that
// commits always has its deliveries queued, and one that rolls back never had any.
import type { JobQueue } from '../queue/job-queue.ts';
import { newId } from '../ids.ts';
import { SYSTEM_TABLES } from '../model.ts';
import type { ChangeListener, Store } from '../store.ts';
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
    const body = JSON.stringify({
      type: event,
      timestamp: change.at,
      data: { tenant, collection: change.collection, id: change.itemId, revision: change.revision, item: change.data },
    });
    const messageId = `msg_${newId()}`;
    for (const r of targets) {
      const payload: DeliveryJob = { webhook: r.id as string, messageId, event, body };
      await queue.enqueue(trx, { kind: DELIVER_WEBHOOK, payload });
    }
  };
}
