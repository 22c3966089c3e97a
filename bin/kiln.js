#!/usr/bin/env node
// Kiln's sources are TypeScript run by Node's type stripping, which needs Node 24.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`kiln needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npm run kiln -- …), which uses the Node 24 the project pins.`);
  process.exit(1);
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
