#!/usr/bin/env node
// Kiln's sources are TypeScript run by Node's type stripping, which needs Node 24.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`kiln needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npx kiln), which uses the Node 24 the project pins.`);
  process.exit(1);
}
const { main } = await import('../src/cli/kiln.ts');
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
