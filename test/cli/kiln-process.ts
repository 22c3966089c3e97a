// Runs bin/kiln.js as a child process, the way an operator does: for the CLI tests and the crash test.
// Every child is tracked so a suite's `after` can kill whatever is still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KILN = 'bin/kiln.js';

/** Generous bound on readiness and on one CLI run: only there so a hung child fails the test instead of hanging it. */
export const READY_TIMEOUT_MS = 60_000;

const children = new Set<ChildProcess>();

/** The parent's environment without any Kiln configuration, plus `extra`. */
export function kilnEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('KILN_') || k === 'PORT' || k === 'HOST' || k.startsWith('NODE_TEST')) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

function spawnKiln(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [KILN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export type RunResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs one kiln command to completion. */
export function runKiln(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const child = spawnKiln(args, kilnEnv(env));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kiln ${args.join(' ')} did not finish within ${READY_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, READY_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export type KilnServer = {
  child: ChildProcess;
  /** Base URL, for example http://127.0.0.1:41234 (the API is under /api). */
  url: string;
  app: string;
  driver: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it does not exit within the readiness bound. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

const LISTENING = /kiln: (\S+) on (\S+) at (http:\/\/\S+)\/api\b/;

/**
 * Starts `kiln start ...args` on an ephemeral port and resolves once it prints its listening line.
 * Rejects (with the child's output) if it exits first or is not ready within READY_TIMEOUT_MS.
 */
export function startKiln(args: string[], env: Record<string, string | undefined>): Promise<KilnServer> {
  const child = spawnKiln(['start', ...args], kilnEnv({ PORT: '0', HOST: '127.0.0.1', KILN_LOG_LEVEL: 'warn', ...env }));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), READY_TIMEOUT_MS);
      const r = await exited;
      clearTimeout(timer);
      return r;
    }
    return exited;
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`kiln start ${args.join(' ')} was not listening within ${READY_TIMEOUT_MS} ms\nstderr:\n${stderr}\nstdout:\n${stdout}`));
    }, READY_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = LISTENING.exec(stderr);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ child, url: m[3], app: m[1], driver: m[2], stdout: () => stdout, stderr: () => stderr, exited, stop });
      }
    });
    void exited.then(({ code, signal }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(Object.assign(new Error(`kiln start ${args.join(' ')} exited (code ${code}, signal ${signal}) before listening\nstderr:\n${stderr}\nstdout:\n${stdout}`), { code, stderr }));
    });
  });
}

/** Kills every child still running (for `after`). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    waits.push(new Promise((r) => child.once('close', r)));
    child.kill('SIGKILL');
  }
  await Promise.all(waits);
}

export type ApiResponse = { status: number; headers: Headers; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One HTTP request to a running server; JSON bodies are parsed. */
export async function request(base: string, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  // The bound only keeps a hung server from hanging the suite.
  const res = await fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  const text = await res.text();
  let parsed: unknown = text;
  if (text && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}
