// Building the admin UI (web/admin, React + Vite) into web/admin/dist. `npm run build` always builds;
// `kiln start` builds only when the output is missing or stale: the build records a SHA-256 of the
// UI's sources, and a start compares it with the sources on disk (a few dozen small files, hashed in
// milliseconds). The build runs in a child process so Vite never stays in the server's memory, writes
// into a fresh folder and swaps it into place, so a server never serves half a build.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ADMIN_SOURCE_DIR = fileURLToPath(new URL('../../../web/admin', import.meta.url));
export const ADMIN_DIST_DIR = join(ADMIN_SOURCE_DIR, 'dist');
const STAMP = '.kiln-build.json';
const LOCK = join(ADMIN_SOURCE_DIR, '.building');
// A lock older than this belongs to a build that died; a real build takes seconds.
const STALE_LOCK_MS = 120_000;

const INPUTS = ['index.html', 'vite.config.ts', 'src', 'public'];

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []))
    .sort();
}

/** SHA-256 over the UI's source files: their paths and contents. */
export function adminSourceHash(dir = ADMIN_SOURCE_DIR): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap((i) => files(join(dir, i)))) {
    h.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** Whether there is a build to serve (fresh or not). */
export const adminUiBuilt = (): boolean => existsSync(join(ADMIN_DIST_DIR, 'index.html'));

export type AdminBuildState = 'fresh' | 'missing' | 'stale';

export function adminBuildState(): AdminBuildState {
  let stamp: { hash?: string };
  try {
    if (!existsSync(join(ADMIN_DIST_DIR, 'index.html'))) return 'missing';
    stamp = JSON.parse(readFileSync(join(ADMIN_DIST_DIR, STAMP), 'utf8')) as { hash?: string };
  } catch {
    return 'missing';
  }
  return stamp.hash === adminSourceHash() ? 'fresh' : 'stale';
}

/** Vite's command-line entry, or undefined where dev dependencies are not installed. */
function viteBin(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: ADMIN_SOURCE_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

function takeLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (e) {
    // Only "someone else holds it" is worth waiting for; a read-only tree is an error at once.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) {
        rmSync(LOCK, { recursive: true, force: true });
        mkdirSync(LOCK);
        return true;
      }
    } catch {
      // Another process took or released it meanwhile; wait for it like any other holder.
    }
    return false;
  }
}

/** Builds the UI now. Throws with Vite's output when the build fails or Vite is not installed. */
export async function buildAdmin(): Promise<void> {
  const vite = viteBin();
  if (!vite) throw new Error('Vite is not installed (it is a dev dependency: run "npm ci" without --omit=dev)');
  const hash = adminSourceHash();
  const out = join(ADMIN_SOURCE_DIR, `.dist-${process.pid}-${Date.now()}`);
  try {
    const r = await run([vite, 'build', '--config', join(ADMIN_SOURCE_DIR, 'vite.config.ts'), '--outDir', out, '--emptyOutDir', '--logLevel', 'warn']);
    if (r.code !== 0) throw new Error(`the admin UI build failed:\n${r.output}`);
    writeFileSync(join(out, STAMP), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
    const old = `${out}-old`;
    if (existsSync(ADMIN_DIST_DIR)) renameSync(ADMIN_DIST_DIR, old);
    renameSync(out, ADMIN_DIST_DIR);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export type EnsureResult = { state: AdminBuildState; built: boolean; error?: string };

/**
 * Builds the UI when the output is missing or stale; several processes starting at once build it
 * once (the others wait for that build). Never throws: a server without its admin UI still serves the API.
 */
export async function ensureAdminBuild(log: (line: string) => void = () => {}): Promise<EnsureResult> {
  const state = adminBuildState();
  if (state === 'fresh') return { state, built: false };
  if (!existsSync(join(ADMIN_SOURCE_DIR, 'index.html'))) return { state, built: false, error: `no admin UI sources at ${ADMIN_SOURCE_DIR}` };
  if (!viteBin()) {
    const error = 'Vite is not installed, so the admin UI cannot be built here; build it where dev dependencies are installed ("npm run build")';
    return { state, built: false, error };
  }
  const deadline = Date.now() + STALE_LOCK_MS;
  try {
    while (!takeLock()) {
      if (Date.now() > deadline) return { state, built: false, error: `another build holds ${LOCK}` };
      await new Promise((r) => setTimeout(r, 200));
      if (adminBuildState() === 'fresh') return { state, built: false };
    }
  } catch (e) {
    return { state, built: false, error: `cannot build in ${ADMIN_SOURCE_DIR}: ${(e as Error).message}` };
  }
  try {
    if (adminBuildState() === 'fresh') return { state, built: false };
    log(`kiln: building the admin UI (${state === 'missing' ? 'not built yet' : 'sources changed'})…`);
    await buildAdmin();
    return { state, built: true };
  } catch (e) {
    return { state, built: false, error: (e as Error).message };
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
