// Webhooks for a running server: the queue deliveries go through (the job table in the app's
// database unless another queue is given), the listener that queues them with every content change,
// and the worker that sends them.
import type { StorageDriver } from '../driver.ts';
import { DbQueue } from '../queue/db-queue.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { startWorker, type WorkerOptions } from '../queue/worker.ts';
import type { Store } from '../store.ts';
import { DEFAULT_DELIVERY_POLICY, webhookDeliverer, type DeliveryPolicy } from './deliver.ts';
import { DELIVER_WEBHOOK, attachWebhooks } from './enqueue.ts';

export type WebhookOptions = Partial<DeliveryPolicy> &
  Pick<WorkerOptions, 'concurrency' | 'pollMs' | 'onError'> & {
    queue?: JobQueue;
  };

export type WebhookRuntime = {
  queue: JobQueue;
  /** Registers the listener on a store (for LiveOptions.prepareStore: every store the server serves). */
  attach: (store: Store) => void;
  /** Stops the worker after the deliveries in flight; queued ones wait for the next start. */
  stop: () => Promise<void>;
};

export function startWebhooks(driver: StorageDriver, options: WebhookOptions = {}): WebhookRuntime {
  const { queue = new DbQueue(driver), concurrency, pollMs, onError, ...policy } = options;
  const full: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) };
  const worker = startWorker({
    queue,
    handlers: { [DELIVER_WEBHOOK]: webhookDeliverer(driver, full) },
    concurrency,
    pollMs,
    onError,
    // Comfortably longer than one request may take, so a slow receiver is not sent the message twice.
    leaseMs: full.timeoutMs * 3 + 30_000,
  });
  return { queue, attach: (store) => attachWebhooks(store, queue), stop: worker.stop };
}
