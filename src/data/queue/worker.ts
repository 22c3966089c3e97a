// Runs queued jobs: polls the queue, hands each job to the handler for its kind with at most
// `concurrency` running at once, and records the outcome. A handler that throws is a fault of the
// handler, not of the job's target, so the worker retries it with backoff and finally marks it dead.
// Stopping waits for the jobs in flight; anything it cannot record is retried when its lease runs out.
import { backoffDelay } from './backoff.ts';
import type { Job, JobHandler, JobOutcome, JobQueue } from './job-queue.ts';

export type WorkerOptions = {
  queue: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  /** Jobs run at once (default 8). */
  concurrency?: number;
  /** Wait between polls when nothing is due (default 500 ms). */
  pollMs?: number;
  /** Must outlast the longest handler run, or a slow job is run twice (default 60 s). */
  leaseMs?: number;
  /** For handlers that throw: attempts before the job is dead (default 10), and the backoff base (default 1 s). */
  maxAttempts?: number;
  retryBaseMs?: number;
  onError?: (error: unknown, job?: Job) => void;
};

export type Worker = { stop: () => Promise<void> };

const MAX_RETRY_DELAY_MS = 3_600_000;

export function startWorker(o: WorkerOptions): Worker {
  const concurrency = o.concurrency ?? 8;
  const pollMs = o.pollMs ?? 500;
  const leaseMs = o.leaseMs ?? 60_000;
  const maxAttempts = o.maxAttempts ?? 10;
  const retryBaseMs = o.retryBaseMs ?? 1000;
  const kinds = Object.keys(o.handlers);
  const onError = o.onError ?? ((e: unknown, job?: Job) => console.error(`kiln: job ${job ? `${job.kind} ${job.id}` : 'queue'} failed:`, e));

  const running = new Set<Promise<void>>();
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      timer = setTimeout(wake, ms);
    });

  const run = async (job: Job) => {
    let outcome: JobOutcome;
    try {
      outcome = await o.handlers[job.kind](job);
    } catch (e) {
      onError(e, job);
      const error = e instanceof Error ? e.message : String(e);
      outcome = job.attempts >= maxAttempts ? { status: 'dead', error } : { status: 'retry', at: new Date(Date.now() + backoffDelay(job.attempts, { baseMs: retryBaseMs, maxMs: MAX_RETRY_DELAY_MS })), error };
    }
    try {
      if (outcome.status === 'done') await o.queue.complete(job);
      else await o.queue.fail(job, outcome.error, outcome.status === 'retry' ? outcome.at : null);
    } catch (e) {
      // The lease runs out and the job is run again: at least once, never lost.
      onError(e, job);
    }
  };

  const loop = async () => {
    while (!stopped) {
      const free = concurrency - running.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const jobs = await o.queue.claim({ limit: free, leaseMs, kinds });
          claimed = jobs.length;
          for (const job of jobs) {
            const p: Promise<void> = run(job).finally(() => {
              running.delete(p);
              wake?.();
            });
            running.add(p);
          }
        } catch (e) {
          if (!stopped) onError(e);
        }
      }
      // A full batch suggests more are due: claim again at once, unless every slot is busy.
      if (!stopped && (free === 0 || claimed < free)) await sleep(pollMs);
    }
  };
  const looping = loop();

  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await looping;
      await Promise.all(running);
    },
  };
}
