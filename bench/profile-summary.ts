// Summarizes a V8 CPU profile written by `BENCH_PROFILE=1 npm run bench` (or any `node --cpu-prof`):
// where the busy time went, by package or source file and by function, self and inclusive.
// Usage: node bench/profile-summary.ts bench/results/profiles/kiln-list.cpuprofile [top=20]
import { readFileSync } from 'node:fs';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.ts FILE.cpuprofile [top]');
  process.exit(2);
}
const top = Number(topArg ?? 20);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** node_modules/<package>, src/<path>, node:<internal> or a V8 pseudo-frame such as (garbage collector). */
function area(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  if (nm) return nm[1];
  const src = /\/((?:src|bench|test)\/.*)$/.exec(f.url);
  if (src) return src[1];
  if (f.url.startsWith('node:')) return f.url.split('/').slice(0, 2).join('/');
  return f.url;
}
const fn = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${area(f)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

const self = new Map<string, number>();
const selfArea = new Map<string, number>();
const inclusive = new Map<string, number>();
let busy = 0;
let idle = 0;
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const leaf = byId.get(profile.samples[i]);
  if (!leaf) continue;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += dt;
    continue;
  }
  busy += dt;
  add(self, fn(leaf.callFrame), dt);
  add(selfArea, area(leaf.callFrame), dt);
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const k = fn(byId.get(id)!.callFrame);
    if (k.startsWith('(root)') || seen.has(k)) continue;
    seen.add(k);
    add(inclusive, k, dt);
  }
}

const pct = (v: number) => `${((v / busy) * 100).toFixed(1).padStart(5)}%`;
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(v)}  ${k}`);
};
console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle; percentages are of busy time`);
show('Self time by package / source file', selfArea);
show('Self time by function', self);
show('Inclusive time by function', inclusive);
