#!/usr/bin/env node
// Kiln's sources are TypeScript run by Node's type stripping, which needs Node 24.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  // Started by an older Node (npx, a shell's PATH): hand over to the Node 24 the project pins.
  const { existsSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`kiln needs Node.js 24 or newer (this is ${process.version}); run "npm ci" to install the Node 24 the project pins.`);
    process.exit(1);
  }
  const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
try {
  const { main } = await import('../src/cli/kiln.ts');
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (e) {
  // Expected failures (a taken port, an unreachable database) deserve a line, not a stack trace.
  console.error(`kiln: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.KILN_DEBUG) console.error(e);
  process.exit(1);
}
