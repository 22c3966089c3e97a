// The lifecycle both bench servers share: listen on 127.0.0.1, tell the parent the URL over the IPC
// channel, and close cleanly (then exit, which also writes a --cpu-prof profile) when the parent
// says stop, disconnects or dies, or a signal arrives. Only node builtins: the raw baseline uses it too.

export type Ready = { type: 'ready'; url: string; pid: number };
export type Stop = { type: 'stop' };

export function serveAsChild(name: string, start: () => Promise<{ url: string; close: () => Promise<void> }>): void {
  if (!process.send) throw new Error(`${name}: run me from bench/run.ts (I need an IPC channel to my parent)`);
  let close: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    try {
      await close?.();
    } catch (e) {
      console.error(`${name}: close failed:`, e);
      code = 1;
    }
    process.exit(code);
  };
  process.on('message', (m: Stop) => {
    if (m?.type === 'stop') void stop();
  });
  // The parent went away without saying stop: never linger.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  start().then(
    (server) => {
      close = server.close;
      const url = new URL(server.url);
      if (url.hostname !== '127.0.0.1') throw new Error(`${name}: refusing to serve on ${url.hostname}; the bench only uses 127.0.0.1`);
      process.send!({ type: 'ready', url: server.url, pid: process.pid } satisfies Ready);
    },
    (e) => {
      console.error(`${name}: failed to start:`, e);
      process.exit(1);
    },
  );
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}
