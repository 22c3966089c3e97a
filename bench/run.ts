// `npm run bench`: the load bench. Seeds a fresh SQLite data dir with 10,000 articles, then for each
// case runs Kiln and a raw node:http + node:sqlite baseline, one at a time, each in its own child
// process, with autocannon driving load from this process. Prints req/s and p50/p95/p99 latency per
// case and server, with Kiln's share of the raw throughput, and writes bench/results/latest.json.
//
// Each server gets one autocannon run: a warm-up, then a measured window on the same connections
// (see load() below). The answers of both servers to one probe request are compared first, and for
// a write what the probe left in the database (event-log rows, search documents) too.
//
// Env: BENCH_DURATION (seconds measured per case per server, default 10), BENCH_QUICK=1 (2 s smoke
// run), BENCH_WARMUP (seconds, default 2; 0.5 when quick), BENCH_CONNECTIONS (default 50),
// BENCH_CASES (e.g. "list,get"; the auth cases are sign-in, get-root, get-bearer), BENCH_PROFILE=1 (write a --cpu-prof profile per server and case
// to bench/results/profiles/). Everything targets 127.0.0.1 only.
import autocannon, { type Instance, type Request } from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { contentHash } from '../src/data/events/event-log.ts';
import type { Ready } from './child.ts';
import { seed, type Seeded } from './seed.ts';
import { benchAccessToken, benchPerson } from './auth-setup.ts';
import { BENCH_EMAIL, BENCH_PASSWORD } from './auth-spec.ts';

// ---- configuration ----

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds (got "${raw}")`);
  return n;
}

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const DURATION = seconds('BENCH_DURATION', QUICK ? 2 : 10);
const WARMUP = seconds('BENCH_WARMUP', QUICK ? 0.5 : 2);
const CONNECTIONS = Math.round(seconds('BENCH_CONNECTIONS', 50));
const PROFILE = process.env.BENCH_PROFILE === '1';
const ARTICLES = 10_000;
const HOST = '127.0.0.1';
const ROOT_TOKEN = 'bench-root-token-0123456789abcdef';
const TENANT = 'bench';
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Longest wait, after the warm-up, for every connection to have had its first answer before measuring. */
const RAMP_LIMIT = 20;
/** Cores used by unrelated processes above which a measurement is flagged as noisy. */
const NOISY_CORES = 0.15;

/** What the issue asks of Kiln, checked at the end of every run. */
const AIMS = { minShareOfRaw: 0.5, maxP95Ms: 15, cases: ['list', 'get'] };

// ---- cases ----

type Probe = { path: string; body?: string };
type Case = {
  name: string;
  title: string;
  method: 'GET' | 'POST';
  status: number;
  /** Writes: each server starts from its own copy of the seeded database. */
  writes: boolean;
  /** The request used to compare the two servers' answers before measuring. */
  probe: Probe;
  /** The requests sent under load: one fixed request, or a generator for rotating ones. */
  load: Probe | (() => Probe);
  /** Answer fields that legitimately differ between two servers (generated ids, clocks). */
  volatile?: string[];
  /** Says what is wrong with a probe answer that both servers could agree on and still measure nothing (say, no search hits). */
  check?: (answer: unknown) => string | undefined;
  /** For writes: what the probe request left in the database besides the answer, compared like the answers. */
  effects?: (db: DatabaseSync, answer: unknown) => unknown;
  /** Request headers (default: the root token on writes, none on reads). */
  headers?: Record<string, string>;
  /** Concurrent connections (default BENCH_CONNECTIONS). */
  connections?: number;
};

const BASE = `/api/t/${TENANT}/articles`;

function buildCases(s: Seeded): Case[] {
  // A fixed shuffle of every id a reader may see, so reads spread over the whole table, the same way each run.
  const ids = [...s.readableIds];
  for (let i = ids.length - 1, x = 42; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  let nextId = 0;
  let created = 0;
  const article = (n: number, title = `Bench article ${n} under load`) =>
    JSON.stringify({
      title,
      summary: 'Written by the load bench.',
      body: '<p>Written by the load bench, one of many.</p>',
      status: 'draft',
      readingMinutes: 3,
      views: 0,
      price: '4.99',
      featured: false,
      metadata: { source: 'autocannon', n },
      author: s.authorIds[n % s.authorIds.length],
      category: s.categoryIds[n % s.categoryIds.length],
      tags: [s.tagIds[n % s.tagIds.length], s.tagIds[(n + 7) % s.tagIds.length]],
    });
  const filtered = `${BASE}?filter[status][_eq]=published&filter[views][_gt]=100&sort=-views,title&limit=20`;
  // Searches rotate over every topic word, frequent and rare alike: no figure rests on one word's
  // match set (a frequent word costs several times a rare one), and both servers get the same mix.
  const words = s.searchWords.map((w) => w.word);
  const rotation = () => {
    let next = 0;
    return () => words[next++ % words.length];
  };
  const [listWord, rankedWord] = [rotation(), rotation()];
  const searchList = (w: string) => `${BASE}?search=${w}&limit=20`;
  const searchRanked = (w: string) => `/api/t/${TENANT}/search?q=${w}&limit=20`;
  const fullPage = (answer: unknown) => ((answer as { data: unknown[] }).data.length === 20 ? undefined : `the probe found ${(answer as { data: unknown[] }).data.length} hits, not 20: is the search index built for the view readers see?`);
  return [
    { name: 'list', title: 'list of 20', method: 'GET', status: 200, writes: false, probe: { path: `${BASE}?limit=20` }, load: { path: `${BASE}?limit=20` } },
    { name: 'get', title: 'get one by id', method: 'GET', status: 200, writes: false, probe: { path: `${BASE}/${ids[0]}` }, load: () => ({ path: `${BASE}/${ids[nextId++ % ids.length]}` }) },
    { name: 'filtered', title: 'filtered + sorted list', method: 'GET', status: 200, writes: false, probe: { path: filtered }, load: { path: filtered } },
    { name: 'expanded', title: 'list, expand author,tags', method: 'GET', status: 200, writes: false, probe: { path: `${BASE}?expand=author,tags&limit=20` }, load: { path: `${BASE}?expand=author,tags&limit=20` } },
    { name: 'search', title: 'list, full-text search', method: 'GET', status: 200, writes: false, probe: { path: searchList(words[0]) }, load: () => ({ path: searchList(listWord()) }), check: fullPage },
    { name: 'search-ranked', title: 'ranked search, snippets', method: 'GET', status: 200, writes: false, probe: { path: searchRanked(words[0]) }, load: () => ({ path: searchRanked(rankedWord()) }), check: fullPage },
    {
      name: 'create+log',
      title: 'create + event log (root token)',
      method: 'POST',
      status: 201,
      writes: true,
      probe: { path: BASE, body: article(0, 'Bench probe article') },
      load: () => ({ path: BASE, body: article(created++) }),
      volatile: ['id', 'createdAt', 'updatedAt', 'item', 'at'],
      effects: writeEffects,
    },
  ];
}

/**
 * What a create left besides its answer: the item's events and search documents. Both servers must
 * leave the same (apart from ids and clocks), so the raw baseline provably does Kiln's writes.
 */
function writeEffects(db: DatabaseSync, answer: unknown): unknown {
  const id = (answer as { data: { id: string } }).data.id;
  const events = db.prepare('select "tenant", "collection", "item", "revision", "type", "actor", "at", "data", "hash" from "kiln_events" where "item" = ? order by "revision"').all(id);
  const docs = db.prepare('select d."tenant", d."collection", d."item", d."view", s."title", s."body" from "kiln_search_docs" d join "kiln_search" s on s.rowid = d.rowid where d."item" = ? order by d."view"').all(id);
  return {
    events: events.map(({ hash, data, ...e }) => {
      const item = data === null ? null : (JSON.parse(data as string) as Record<string, unknown>);
      // The hash itself differs with the id and clock; that it is the hash of the data must not.
      return { ...e, data: item, hashOfData: hash === contentHash(item), atIsCreatedAt: e.at === item?.createdAt };
    }),
    searchDocs: docs,
  };
}

// ---- child servers ----

type ServerKind = 'kiln' | 'raw';
const SERVERS: ServerKind[] = ['kiln', 'raw'];
type Server = { kind: ServerKind; url: string; child: ChildProcess };

const live = new Set<ChildProcess>();
let running: Instance | undefined;
/** Set on SIGINT/SIGTERM: nothing new starts once cleanup has begun. */
let aborting = false;
const checkAbort = () => {
  if (aborting) throw new Error('aborted');
};

async function startServer(kind: ServerKind, env: Record<string, string>, profileName?: string): Promise<Server> {
  checkAbort();
  const script = fileURLToPath(new URL(`./${kind}-server.ts`, import.meta.url));
  const flags = ['--disable-warning=ExperimentalWarning'];
  if (profileName) flags.push('--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`, `--cpu-prof-name=${profileName}`);
  const child = spawn(process.execPath, [...flags, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 30 s`)), 30_000);
    child.once('message', (m: Ready) => {
      clearTimeout(timer);
      resolve(m.url);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited before it was ready (code ${code}, signal ${signal})`));
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server could not be started or signalled: ${e.message}`));
    });
  });
  if (new URL(url).hostname !== HOST) throw new Error(`${kind} server listens on ${url}; the bench only targets ${HOST}`);
  return { kind, url, child };
}

/** Asks the child to stop (it closes and exits, writing its profile); kills it after 10 s; gives up waiting after 12 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
    timers.push(setTimeout(resolve, 12_000));
  });
  timers.forEach(clearTimeout);
  live.delete(child);
}

// ---- CPU accounting (Linux /proc): was the server saturated, and did anything else compete? ----

type CpuSample = { busy: number; total: number; server: number; client: number };
const HAS_PROC = existsSync('/proc/stat');

/** utime + stime of a process, in clock ticks. */
function processTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

function cpuSample(serverPid: number): CpuSample | undefined {
  if (!HAS_PROC) return undefined;
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal. Interrupt time is left out of "busy": on a
  // loopback bench it is mostly the bench's own network traffic, which no process is charged for.
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const busy = ticks[0] + ticks[1] + ticks[2] + ticks[7];
  return { busy, total, server: processTicks(serverPid), client: processTicks('self') };
}

/** Average cores used over the interval by the server, by this process (autocannon), and by everything else. */
function cpuBetween(a: CpuSample | undefined, b: CpuSample | undefined): CpuUse | undefined {
  if (!a || !b || b.total === a.total) return undefined;
  const cores = cpus().length;
  const share = (ticks: number) => Math.max(0, (ticks / (b.total - a.total)) * cores);
  const server = b.server - a.server;
  const client = b.client - a.client;
  return { server: share(server), client: share(client), other: share(b.busy - a.busy - server - client) };
}

type CpuUse = { server: number; client: number; other: number };

// ---- measuring ----

type Stats = {
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Length of the measured window. */
  seconds: number;
  statusCodes: Record<string, number>;
  /** Seconds from the start of the load until every connection had its first answer. */
  rampSeconds: number;
  /** The window opened before every connection had been answered once (see RAMP_LIMIT). */
  rampIncomplete?: boolean;
  /** Average cores busy during the measured window (Linux only). */
  cpu?: CpuUse;
};

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * One autocannon run: warm-up, then a measured window of DURATION seconds on the same connections.
 * The window opens once the warm-up is over and every connection has had an answer: a saturated
 * Node server accepts new connections slowly (about one per event-loop turn), so on a slow case the
 * last connections can wait seconds for their first answer. That start-up effect is reported as
 * rampSeconds and kept out of the steady-state figures.
 */
async function load(server: Server, c: Case): Promise<Stats> {
  checkAbort();
  const headers: Record<string, string> = c.headers ?? (c.method === 'POST' ? { 'content-type': 'application/json', authorization: `Bearer ${ROOT_TOKEN}` } : {});
  const connections = c.connections ?? CONNECTIONS;
  const first = typeof c.load === 'function' ? c.load() : c.load;
  const request: Request = { method: c.method, path: first.path, headers, body: first.body };
  const next = c.load;
  if (typeof next === 'function') {
    request.setupRequest = (r) => {
      const p = next();
      r.path = p.path;
      if (p.body !== undefined) r.body = p.body;
      return r;
    };
  }
  const pid = server.child.pid!;
  const instance = autocannon({ url: server.url, connections, duration: WARMUP + RAMP_LIMIT + DURATION + 5, timeout: 10, requests: [request] });
  running = instance;
  const started = performance.now();
  // autocannon keeps latencies in whole milliseconds and has no p95: keep every 2xx latency here.
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const statusCodes: Record<string, number> = {};
  const answered = new Set<unknown>();
  let rampMs: number | undefined;
  let window: { start: number; end?: number; before?: CpuSample; after?: CpuSample; forced: boolean } | undefined;
  let closeTimer: NodeJS.Timeout | undefined;
  const open = (now: number, forced: boolean) => {
    window = { start: now, before: cpuSample(pid), forced };
    closeTimer = setTimeout(() => {
      window!.after = cpuSample(pid);
      window!.end = performance.now();
      instance.stop();
    }, DURATION * 1000);
  };
  const measuring = () => window !== undefined && window.end === undefined;
  instance.on('response', (client, status, _bytes, ms) => {
    const now = performance.now();
    if (rampMs === undefined) {
      answered.add(client);
      if (answered.size === connections) rampMs = now - started;
    }
    if (!window) {
      if (rampMs !== undefined && now - started >= WARMUP * 1000) open(now, false);
      return;
    }
    if (!measuring()) return;
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (status < 200 || status >= 300) {
      non2xx++;
      return;
    }
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = ms;
  });
  instance.on('reqError', (e) => {
    if (!measuring()) return;
    errors++;
    if (/timed out/.test(e.message)) timeouts++;
  });
  // Never wait for the ramp for ever: measure anyway, and say so.
  const rampTimer = setTimeout(() => window ?? open(performance.now(), true), (WARMUP + RAMP_LIMIT) * 1000);
  try {
    await instance;
  } finally {
    running = undefined;
    clearTimeout(rampTimer);
    clearTimeout(closeTimer);
  }
  if (!window?.end) throw new Error(`${c.name}: the load ended before the measured window closed`);
  const seconds = (window.end - window.start) / 1000;
  const cpu = cpuBetween(window.before, window.after);
  const sorted = latencies.slice(0, n).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    requestsPerSecond: n / seconds,
    latencyMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), mean: n ? sum / n : NaN, max: n ? sorted[n - 1] : NaN },
    ok: n,
    non2xx,
    errors,
    timeouts,
    seconds,
    statusCodes,
    rampSeconds: (rampMs ?? window.start - started) / 1000,
    ...(window.forced && { rampIncomplete: true }),
    ...(cpu && { cpu }),
  };
}

/** One request outside the load, to check the server answers the case as expected. */
async function probe(url: string, c: Case): Promise<unknown> {
  const headers: Record<string, string> = c.headers ?? (c.method === 'POST' ? { 'content-type': 'application/json', authorization: `Bearer ${ROOT_TOKEN}` } : {});
  const res = await fetch(url + c.probe.path, { method: c.method, headers, body: c.probe.body });
  const text = await res.text();
  if (res.status !== c.status) throw new Error(`${c.name}: ${url}${c.probe.path} answered ${res.status}, expected ${c.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** The first place two answers differ, ignoring the fields named volatile; undefined when they agree. */
function difference(a: unknown, b: unknown, volatile: string[] = [], at = '$'): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${at}: ${a.length} vs ${b.length} entries`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], b[i], volatile, `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (volatile.includes(k)) continue;
      const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], volatile, `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return isDeepStrictEqual(a, b) ? undefined : `${at}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
}

// ---- reporting ----

type CaseResult = {
  case: string;
  title: string;
  request: string;
  kiln: Stats;
  raw: Stats;
  /** Kiln's req/s as a share of the raw baseline's. */
  ratio: number;
  /** Whether both servers gave the same answer to the probe request. */
  sameAnswer: boolean;
  answerDifference?: string;
};

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function table(results: CaseResult[]): string {
  const head = ['case', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'kiln/raw', 'non-2xx/err', 'server cpu', 'other cpu'];
  const rows: string[][] = [];
  for (const r of results) {
    for (const kind of ['kiln', 'raw'] as const) {
      const s = r[kind];
      rows.push([
        kind === 'kiln' ? r.case : '',
        kind,
        fmt(s.requestsPerSecond, 0),
        fmt(s.latencyMs.p50, 2),
        fmt(s.latencyMs.p95, 2),
        fmt(s.latencyMs.p99, 2),
        kind === 'kiln' ? `${fmt(r.ratio * 100, 1)}%` : '',
        `${s.non2xx}/${s.errors}`,
        s.cpu ? fmt(s.cpu.server, 2) : '-',
        s.cpu ? fmt(s.cpu.other, 2) : '-',
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

type AimCheck = { case: string; shareOfRaw: number; shareMet: boolean; p95Ms: number; p95Met: boolean };

function checkAims(results: CaseResult[]): AimCheck[] {
  return results
    .filter((r) => AIMS.cases.includes(r.case))
    .map((r) => ({ case: r.case, shareOfRaw: r.ratio, shareMet: r.ratio >= AIMS.minShareOfRaw, p95Ms: r.kiln.latencyMs.p95, p95Met: r.kiln.latencyMs.p95 <= AIMS.maxP95Ms }));
}

/** Which Kiln was measured: the commit, and whether (and how) src/ differed from it. */
function kilnRevision(): { commit: string; srcChanged: boolean; srcState: string } | undefined {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    const changes = git('diff', 'HEAD', '--', 'src') + git('ls-files', '--others', '--exclude-standard', '--', 'src');
    return { commit: git('rev-parse', 'HEAD').trim(), srcChanged: changes !== '', srcState: createHash('sha256').update(changes).digest('hex').slice(0, 12) };
  } catch {
    return undefined;
  }
}

/**
 * A digest of every file under src/: what the servers load. Commits that leave src/ alone (docs,
 * tests) do not change it, and committing changes already in the working tree does not either.
 */
function srcDigest(): string {
  const root = fileURLToPath(new URL('../src/', import.meta.url));
  const hash = createHash('sha256');
  for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(root, f);
    if (statSync(path).isFile()) hash.update(f).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

// ---- the run ----

let tempDir: string | undefined;
const TEMP_PREFIX = 'kiln-bench-';

/** Removes temp dirs left by earlier runs that were killed outright (SIGKILL leaves no chance to clean up). */
function sweepStaleTempDirs() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, '.owner-pid'), 'utf8'));
    } catch {
      continue; // not one of ours, or not ours to judge
    }
    try {
      process.kill(owner, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function cleanup(): Promise<void> {
  running?.stop();
  await Promise.all([...live].map(stopServer));
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
}

// ---- auth cases: Kiln only ----
//
// There is no raw counterpart: these compare Kiln with itself. One Kiln child (BENCH_AUTH=1: an
// OAuth client in the spec, credential rate limits off) on its own copy of the seeded database.
// - sign-in: POST /api/auth/sign-in/email with the right password. Each answer hashes the password
//   with argon2id (OWASP parameters, 19 MiB and 2 passes, on libuv's thread pool) and writes a
//   session row (a synced SQLite write); SIGN_IN_CONNECTIONS at once, since more would only queue.
// - get-root / get-bearer: the `get` case's request (rotating ids) with the root token, then with an
//   RFC 9068 JWT access token of an editor of the tenant, obtained by authorization code + PKCE.
//   Both callers read the working view, and the probe answers must match, so the difference is the
//   cost of verifying the token (signature against cached keys, claims, revocation list) and of the
//   role checks it brings. The aim: get-bearer under 10% slower than get-root, over two rounds
//   each, run root, bearer, bearer, root.

const AUTH_CASES = ['sign-in', 'get-root', 'get-bearer'];
const SIGN_IN_CONNECTIONS = 8;
const BEARER_AIM = 0.1;

type AuthCaseResult = { case: string; title: string; request: string; connections: number; stats: Stats };
type AuthBench = { cases: AuthCaseResult[]; sameAnswer: boolean; bearerCost?: number; bearerAimMet?: boolean; argon2id: string };

async function authBench(s: Seeded, names: string[]): Promise<AuthBench> {
  const dataDir = join(tempDir!, 'auth-kiln');
  mkdirSync(dataDir);
  const dbFile = join(dataDir, basename(s.dbFile));
  copyFileSync(s.dbFile, dbFile);
  const server = await startServer('kiln', { BENCH_DATA_DIR: dataDir, BENCH_ROOT_TOKEN: ROOT_TOKEN, BENCH_AUTH: '1' }, PROFILE ? 'kiln-auth.cpuprofile' : undefined);
  const out: AuthBench = { cases: [], sameAnswer: true, argon2id: 'm=19456 KiB, t=2, p=1 (OWASP minimum), node:crypto on the libuv thread pool' };
  try {
    await benchPerson(server.url, dbFile, ROOT_TOKEN, TENANT);
    const ids = [...s.readableIds];
    const get = (headers: Record<string, string>): Pick<Case, 'probe' | 'load' | 'headers'> => {
      let next = 0;
      return { probe: { path: `${BASE}/${ids[0]}` }, load: () => ({ path: `${BASE}/${ids[next++ % ids.length]}` }), headers };
    };
    const signInBody = JSON.stringify({ email: BENCH_EMAIL, password: BENCH_PASSWORD });
    const cases: Record<string, () => Promise<Case>> = {
      'sign-in': async () => ({
        name: 'sign-in', title: 'email + password sign-in', method: 'POST', status: 200, writes: true, connections: SIGN_IN_CONNECTIONS,
        probe: { path: '/api/auth/sign-in/email', body: signInBody }, load: { path: '/api/auth/sign-in/email', body: signInBody },
        headers: { 'content-type': 'application/json', origin: server.url },
      }),
      'get-root': async () => ({ name: 'get-root', title: 'get one by id, root token', method: 'GET', status: 200, writes: false, ...get({ authorization: `Bearer ${ROOT_TOKEN}` }) }),
      // Access tokens live five minutes: the two rounds of each case take about one.
      'get-bearer': async () => ({ name: 'get-bearer', title: 'get one by id, JWT access token', method: 'GET', status: 200, writes: false, ...get({ authorization: `Bearer ${await benchAccessToken(server.url, TENANT)}` }) }),
    };
    const answers: Record<string, unknown> = {};
    const built: Record<string, Case> = {};
    const run = async (name: string, round = '') => {
      checkAbort();
      const c = built[name];
      const connections = c.connections ?? CONNECTIONS;
      process.stderr.write(`  ${(name + round).padEnd(12)} kiln  warm-up ${WARMUP} s, measure ${DURATION} s, ${connections} connections … `);
      const stats = await load(server, c);
      process.stderr.write(`${fmt(stats.requestsPerSecond, 0)} req/s, p95 ${fmt(stats.latencyMs.p95, 2)} ms${stats.non2xx || stats.errors ? `, ${stats.non2xx} non-2xx, ${stats.errors} errors ${JSON.stringify(stats.statusCodes)}` : ''}\n`);
      out.cases.push({ case: name + round, title: c.title, request: `${c.method} ${c.probe.path}`, connections, stats });
      return stats;
    };
    // Every case's setup first (the access token comes from a whole OAuth flow), so none of it runs
    // between measured rounds.
    const selected = AUTH_CASES.filter((n) => names.includes(n));
    for (const name of selected) {
      built[name] = await cases[name]();
      answers[name] = await probe(server.url, built[name]);
    }
    for (const name of selected) await run(name);
    if (answers['get-root'] !== undefined && answers['get-bearer'] !== undefined) {
      const diff = difference(answers['get-root'], answers['get-bearer']);
      out.sameAnswer = diff === undefined;
      if (diff) console.error(`  get-root and get-bearer answered differently at ${diff}`);
      // A second round in the opposite order (root, bearer, bearer, root): whatever drifts over the
      // run (the heap, SQLite's cache, a neighbour's load) then weighs on both sides alike.
      await run('get-bearer', ' (2)');
      await run('get-root', ' (2)');
      const rps = (name: string) => out.cases.filter((r) => r.case === name || r.case === `${name} (2)`).reduce((sum, r) => sum + r.stats.requestsPerSecond, 0);
      out.bearerCost = 1 - rps('get-bearer') / rps('get-root');
      out.bearerAimMet = out.bearerCost < BEARER_AIM;
    }
  } finally {
    await stopServer(server.child);
  }
  return out;
}

function authReport(a: AuthBench): string {
  const head = ['auth case', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx/err', 'server cpu'];
  const rows = a.cases.map((r) => [r.case, String(r.connections), fmt(r.stats.requestsPerSecond, 0), fmt(r.stats.latencyMs.p50, 2), fmt(r.stats.latencyMs.p95, 2), fmt(r.stats.latencyMs.p99, 2), `${r.stats.non2xx}/${r.stats.errors}`, r.stats.cpu ? fmt(r.stats.cpu.server, 2) : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), '', `Sign-in hashes with argon2id ${a.argon2id}.`];
  if (a.bearerCost !== undefined) {
    lines.push(`Aim: a GET with a JWT access token under ${BEARER_AIM * 100}% slower than with the root token (two rounds each, root-bearer-bearer-root): ${fmt(a.bearerCost * 100, 1)}% ${a.bearerCost < 0 ? '(faster) ' : ''}${a.bearerAimMet ? 'met' : 'MISSED'}${a.sameAnswer ? '' : ' (the two answers DIFFER: not comparable)'}.`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const only = process.env.BENCH_CASES?.split(',').map((s) => s.trim()).filter(Boolean);
  const revision = kilnRevision();
  const srcAtStart = srcDigest();
  sweepStaleTempDirs();
  tempDir = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  writeFileSync(join(tempDir, '.owner-pid'), String(process.pid));
  const seedDir = join(tempDir, 'seed');
  const started = new Date();
  console.error(`kiln bench: ${QUICK ? 'quick smoke run, ' : ''}${DURATION} s per case per server after ${WARMUP} s warm-up, ${CONNECTIONS} connections, ${HOST} only`);
  const seeded = await seed(seedDir, { articles: ARTICLES });
  console.error(`kiln bench: seeded ${seeded.articleIds.length} articles, ${seeded.authorIds.length} authors, ${seeded.categoryIds.length} categories, ${seeded.tagIds.length} tags in ${seeded.seconds.toFixed(2)} s; anonymous readers see ${seeded.readableIds.length} of the articles (${tempDir})`);
  const all = buildCases(seeded);
  const cases = all.filter((c) => !only || only.includes(c.name));
  const authCases = AUTH_CASES.filter((c) => !only || only.includes(c));
  if (cases.length === 0 && authCases.length === 0) throw new Error(`BENCH_CASES names no case; cases are ${[...all.map((c) => c.name), ...AUTH_CASES].join(', ')}`);
  const nameWidth = Math.max(...cases.map((c) => c.name.length));

  // A hard stop, whatever happens: every run is bounded.
  const budget = ((cases.length * 2 + authCases.length + (authCases.includes('get-root') && authCases.includes('get-bearer') ? 2 : 0)) * (DURATION + WARMUP + RAMP_LIMIT + 45) + 120) * 1000;
  setTimeout(() => {
    console.error(`kiln bench: still running after ${Math.round(budget / 1000)} s; giving up`);
    void cleanup().finally(() => process.exit(1));
  }, budget).unref();

  const results: CaseResult[] = [];
  for (const c of cases) {
    const stats = {} as Record<ServerKind, Stats>;
    const answers = {} as Record<ServerKind, unknown>;
    const effects = {} as Record<ServerKind, unknown>;
    for (const kind of SERVERS) {
      let dataDir = seedDir;
      if (c.writes) {
        dataDir = join(tempDir, `${c.name}-${kind}`);
        mkdirSync(dataDir);
        copyFileSync(seeded.dbFile, join(dataDir, basename(seeded.dbFile)));
      }
      const env = {
        BENCH_DATA_DIR: dataDir,
        BENCH_DB_FILE: join(dataDir, basename(seeded.dbFile)),
        BENCH_ROOT_TOKEN: ROOT_TOKEN,
        BENCH_READ_ARTICLES: seeded.readTables.articles,
        BENCH_READ_TAG_LINKS: seeded.readTables.tagLinks,
        BENCH_READ_VIEW: seeded.readTables.searchView,
      };
      const server = await startServer(kind, env, PROFILE ? `${kind}-${c.name}.cpuprofile` : undefined);
      try {
        answers[kind] = await probe(server.url, c);
        const wrong = c.check?.(answers[kind]);
        if (wrong) throw new Error(`${c.name}: ${kind}: ${wrong}`);
        if (c.effects) {
          // A second connection, read-only, beside the server's: WAL lets it see the committed probe.
          const db = new DatabaseSync(env.BENCH_DB_FILE, { readOnly: true });
          try {
            effects[kind] = c.effects(db, answers[kind]);
          } finally {
            db.close();
          }
        }
        process.stderr.write(`  ${c.name.padEnd(nameWidth)} ${kind.padEnd(5)} warm-up ${WARMUP} s, measure ${DURATION} s … `);
        stats[kind] = await load(server, c);
        const s = stats[kind];
        const cpu = s.cpu ? `, cores: server ${fmt(s.cpu.server, 2)} client ${fmt(s.cpu.client, 2)} other ${fmt(s.cpu.other, 2)}` : '';
        const ramp = `, all ${CONNECTIONS} connections answered after ${fmt(s.rampSeconds, 2)} s${s.rampIncomplete ? ' (NOT within the limit: measured anyway)' : ''}`;
        process.stderr.write(`${fmt(s.requestsPerSecond, 0)} req/s, p95 ${fmt(s.latencyMs.p95, 2)} ms${ramp}${cpu}${s.non2xx || s.errors ? `, ${s.non2xx} non-2xx, ${s.errors} errors ${JSON.stringify(s.statusCodes)}` : ''}\n`);
      } finally {
        await stopServer(server.child);
      }
    }
    checkAbort();
    const diff = difference(answers.kiln, answers.raw, c.volatile) ?? (c.effects ? difference(effects.kiln, effects.raw, c.volatile, '$effects') : undefined);
    if (diff) console.error(`  ${c.name}: the servers' answers differ at ${diff}`);
    results.push({
      case: c.name,
      title: c.title,
      request: `${c.method} ${c.probe.path}`,
      kiln: stats.kiln,
      raw: stats.raw,
      ratio: stats.kiln.requestsPerSecond / stats.raw.requestsPerSecond,
      sameAnswer: diff === undefined,
      ...(diff && { answerDifference: diff }),
    });
  }

  const auth = authCases.length ? await authBench(seeded, authCases) : undefined;
  checkAbort();

  const aims = checkAims(results);
  const sqlite = new DatabaseSync(':memory:');
  const sqliteVersion = (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
  sqlite.close();
  const cpu = cpus();
  const revisionAfter = kilnRevision();
  const srcAtEnd = srcDigest();
  const measured = revision ? `Kiln ${revision.commit.slice(0, 7)}${revision.srcChanged ? ' with uncommitted changes in src/' : ''}, ` : '';
  console.log(`\nKiln load bench: ${measured}${seeded.articleIds.length} articles, SQLite ${sqliteVersion} (WAL, synchronous=FULL), ${CONNECTIONS} connections, ${DURATION} s per case per server, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}\n`);
  if (results.length) console.log(table(results));
  if (aims.length) console.log(`\nAims: Kiln list and get at ≥ ${AIMS.minShareOfRaw * 100}% of the raw baseline's req/s, with p95 ≤ ${AIMS.maxP95Ms} ms at ${CONNECTIONS} connections.`);
  for (const a of aims) {
    console.log(`  ${a.case.padEnd(9)} ${fmt(a.shareOfRaw * 100, 1).padStart(5)}% of raw ${a.shareMet ? 'met' : 'MISSED'};  p95 ${fmt(a.p95Ms, 2).padStart(6)} ms ${a.p95Met ? 'met' : 'MISSED'}`);
  }
  const noisy = results.filter((r) => (r.kiln.cpu?.other ?? 0) > NOISY_CORES || (r.raw.cpu?.other ?? 0) > NOISY_CORES);
  if (noisy.length) console.log(`\nWarning: other processes kept more than ${NOISY_CORES} of a core busy during ${noisy.map((r) => r.case).join(', ')} ("other cpu"); those figures are noisy, run again on a quiet machine.`);
  if (srcAtStart !== srcAtEnd) {
    const commits = revision && revisionAfter && revision.commit !== revisionAfter.commit ? ` (${revision.commit.slice(0, 7)} at the start, ${revisionAfter.commit.slice(0, 7)} at the end)` : '';
    console.log(`\nWarning: Kiln's src/ changed during the run${commits}; servers started later may have run other code.`);
  }
  if (auth) console.log(`\n${authReport(auth)}`);
  const mismatched = results.filter((r) => !r.sameAnswer);
  if (mismatched.length) console.log(`\nWarning: Kiln and raw answered differently for ${mismatched.map((r) => r.case).join(', ')} (see answerDifference in the JSON).`);
  const failed = [
    ...results.filter((r) => r.kiln.non2xx + r.kiln.errors + r.raw.non2xx + r.raw.errors > 0),
    ...(auth ? auth.cases.filter((r) => r.stats.non2xx + r.stats.errors > 0).map((r) => ({ case: r.case })) : []),
  ];
  if (failed.length) console.log(`\nWarning: failed requests under load in ${failed.map((r) => r.case).join(', ')}; those figures are not comparable.`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = join(RESULTS_DIR, 'latest.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        config: { quick: QUICK, durationSeconds: DURATION, warmupSeconds: WARMUP, rampLimitSeconds: RAMP_LIMIT, connections: CONNECTIONS, pipelining: 1, host: HOST, tenant: TENANT },
        kiln: {
          ...revision,
          ...(revision && revisionAfter && revisionAfter.commit !== revision.commit && { commitAtEnd: revisionAfter.commit }),
          srcDigest: srcAtStart,
          ...(srcAtEnd !== srcAtStart && { srcDigestAtEnd: srcAtEnd }),
        },
        environment: { node: process.version, sqlite: sqliteVersion, platform: `${platform()} ${release()}`, cpus: cpu.length, cpuModel: cpu[0]?.model },
        seed: { articles: seeded.articleIds.length, readableArticles: seeded.readableIds.length, readTables: seeded.readTables, authors: seeded.authorIds.length, categories: seeded.categoryIds.length, tags: seeded.tagIds.length, searchWords: seeded.searchWords, seconds: seeded.seconds },
        aims: { ...AIMS, results: aims },
        cases: results,
        ...(auth && { auth }),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nWrote ${out}${PROFILE ? ` and CPU profiles in ${join(RESULTS_DIR, 'profiles')}` : ''}`);
  return failed.length || mismatched.length || auth?.sameAnswer === false ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    aborting = true;
    console.error(`\nkiln bench: ${signal}, stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (e) => {
    if (aborting) return; // the signal handler cleans up and exits
    console.error('kiln bench failed:', e);
    await cleanup();
    process.exit(1);
  },
);
