// Where attempt counters live: in this process by default, in Redis when several processes must
// share them (KILN_REDIS_URL). Counters are fixed windows: the first hit starts the window, and the
// count is forgotten when it ends.
export type Count = { count: number; /** Milliseconds until the window ends (0 when nothing is counted). */ resetMs: number };

export interface CounterStore {
  /** Adds one to `key`; a new key's window lasts `windowMs`. */
  hit(key: string, windowMs: number): Promise<Count>;
  /** The count of `key` without adding to it. */
  peek(key: string): Promise<Count>;
  clear(key: string): Promise<void>;
  close(): Promise<void>;
}
