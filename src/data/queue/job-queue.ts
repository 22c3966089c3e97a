// The narrow interface background work goes through, so the embedded job table (db-queue.ts) can
// later be replaced by a distributed queue without touching the code that enqueues or handles jobs.
// Delivery is at least once: a job is leased, not removed, when a worker takes it, and a lease that
// runs out (the worker crashed or hung) makes the job due again.
import type { Executor } from '../read-items.ts';

export type NewJob = {
  /** Selects the handler; a worker only claims the kinds it has handlers for. */
  kind: string;
  /** Stored as JSON. */
  payload: unknown;
  /** Not before this time (default: now). */
  runAt?: Date;
};

export type Job = {
  id: string;
  kind: string;
  payload: unknown;
  /** How many times the job has been claimed, this claim included. */
  attempts: number;
  /** Proves this claim still holds the job when it is completed or failed. */
  lease: string;
};

export type JobOutcome =
  | { status: 'done' }
  | { status: 'retry'; at: Date; error: string }
  | { status: 'dead'; error: string };

export type JobHandler = (job: Job) => Promise<JobOutcome>;

export type QueueStats = {
  /** Waiting for their run time, or due. */
  queued: number;
  /** Held by a worker under a lease that has not run out. */
  running: number;
  /** Failed for good; kept for inspection. */
  dead: number;
};

export interface JobQueue {
  /**
   * Adds a job as part of the caller's transaction, so the job exists exactly when the change that
   * caused it commits (a distributed queue would write an outbox row here and relay it).
   */
  enqueue(trx: Executor, job: NewJob): Promise<string>;
  /** Leases up to `limit` due jobs of the given kinds for `leaseMs`. */
  claim(options: { limit: number; leaseMs: number; kinds: readonly string[] }): Promise<Job[]>;
  /** Removes a finished job. False when the lease had run out and the job was no longer this claim's. */
  complete(job: Job): Promise<boolean>;
  /** Records a failed run: due again at `retryAt`, or dead when it is null. False as for `complete`. */
  fail(job: Job, error: string, retryAt: Date | null): Promise<boolean>;
  stats(): Promise<QueueStats>;
}
