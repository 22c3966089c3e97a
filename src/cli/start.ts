// `kiln start [SPEC]`: serves an app spec on the configured database.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSpec, formatIssues } from '../spec/load.ts';
import { openDriver } from '../data/open-driver.ts';
import { Store } from '../data/store.ts';
import { LayoutMismatchError } from '../data/schema-sync.ts';
import { readSeed, seedIfEmpty } from '../data/seed.ts';
import { setupRootToken } from '../auth/root-token.ts';
import { startLiveServer } from '../experience/live-server.ts';
import { startWorker } from '../data/queue/worker.ts';
import { SCHEDULED_TRANSITION, scheduledTransitionHandler } from '../data/events/scheduled-transitions.ts';
import { FsBlobStore } from '../data/media/fs-blob-store.ts';
import { startWebhooks } from '../data/webhooks/webhooks.ts';
import { startMailWorker } from '../auth/mail/mail-delivery.ts';
import { readConfig } from './config.ts';
import { readAiConfig } from '../intelligence/gateway/ai-config.ts';
import { createGateway } from '../intelligence/gateway/gateway.ts';
import { allPrompts } from '../intelligence/prompts.ts';
import { KILN_VERSION } from './version.ts';
import { ensureAdminBuild } from '../experience/admin/admin-build.ts';

export const help = `Usage: kiln start [SPEC] [--seed] [--seed-file FILE]

Serves the app described by SPEC (default ./kiln.json): REST API under /api, OpenAPI at
/api/openapi.json, docs at /api/docs, the admin UI at /admin (built first when missing or
stale). Tables are created from the spec on first start. A change applied with the builder
(the admin UI, or POST /api/builder/apply) migrates the database and rewrites SPEC.

Options:
  --seed            Load seed.json beside SPEC when the app has no content yet.
  --seed-file FILE  Load this seed file instead (implies --seed).
  -h, --help     Show this help.

Environment: PORT (3000), HOST (127.0.0.1), KILN_DATA_DIR (.kiln), KILN_DATABASE_URL
(postgres://… for PostgreSQL; default: SQLite file in KILN_DATA_DIR), KILN_ADMIN_TOKEN,
KILN_LOG_LEVEL (info), KILN_AI_PROVIDER (offline; or openai / anthropic with KILN_AI_MODEL,
KILN_AI_API_KEY, KILN_AI_BASE_URL) for AI content actions and the builder. Sign-in: KILN_PUBLIC_URL
(http://HOST:PORT), KILN_AUTH_SECRET (generated and stored), KILN_AUTH_SESSION_CACHE (300 s),
KILN_SMTP_URL (smtp://user:pass@host:port; without it mail is held for GET /api/dev/mail),
KILN_MAIL_FROM.`;

export async function start(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { seed: { type: 'boolean' }, 'seed-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const specFile = resolve(positionals[0] ?? 'kiln.json');
  const seedFile = values['seed-file'] ? resolve(values['seed-file']) : values.seed ? join(dirname(specFile), 'seed.json') : undefined;
  if (seedFile && values['seed-file'] && !existsSync(seedFile)) {
    console.error(`kiln: no seed file at ${seedFile}`);
    return 1;
  }
  const config = readConfig();
  // The admin UI at /admin is built here when missing or stale (a hash of web/admin's sources); fast when fresh.
  const admin = await ensureAdminBuild((line) => console.error(line));
  if (admin.error) console.error(`kiln: warning: the admin UI at /admin is unavailable: ${admin.error}`);
  // Read before anything opens: a wrong KILN_AI_* setting stops the start with the variable named.
  const aiConfig = readAiConfig();
  const checked = await loadSpec(specFile);
  if (!checked.ok) {
    console.error(`kiln: ${specFile} is not a valid spec:\n${formatIssues(checked.errors)}`);
    return 1;
  }
  for (const w of checked.warnings) console.error(`kiln: warning: ${w.path}: ${w.message}`);
  const driver = openDriver({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, appName: checked.spec.name });
  let store: Store;
  try {
    store = await Store.open(driver, checked.spec);
  } catch (e) {
    await driver.close();
    if (e instanceof LayoutMismatchError) {
      console.error(`kiln: ${e.message}\nKiln does not change tables that hold data on start. Use a new KILN_DATA_DIR (or database) for the new spec, or keep the spec the data was created with.`);
      return 1;
    }
    throw e;
  }
  if (seedFile && existsSync(seedFile)) {
    const n = await seedIfEmpty(store, await readSeed(seedFile));
    if (n) console.error(`kiln: seeded ${n} items from ${seedFile}`);
  }
  const rootToken = await setupRootToken(driver, config.adminToken);
  const webhooks = startWebhooks(driver);
  // Without SMTP, mail stays in the outbox for the development viewer (GET /api/dev/mail).
  const mailer = config.mail.smtpUrl ? startMailWorker(driver, config.mail) : undefined;
  const gateway = await createGateway({ driver, config: aiConfig, prompts: allPrompts });
  gateway.start();
  // Scheduled transitions run against whichever store (spec version) is being served when they fall due.
  let current = store;
  const scheduler = startWorker({ queue: store.queue, handlers: { [SCHEDULED_TRANSITION]: scheduledTransitionHandler(() => current) } });
  const { live, address } = await startLiveServer(
    {
      driver,
      store,
      specFile,
      rootToken,
      logger: { level: config.logLevel },
      version: KILN_VERSION,
      blobs: new FsBlobStore(join(config.dataDir, 'media')),
      gateway,
      onSwap: (v) => console.error(`kiln: now serving spec version ${v}`),
      prepareStore: (s) => {
        webhooks.attach(s);
        current = s;
      },
    },
    config.port,
    config.host,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await live.close();
    await gateway.stop();
    await webhooks.stop();
    await mailer?.stop();
    await scheduler.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (rootToken.generated) {
    console.error(`\nkiln: root API token (shown once; only its hash is stored):\n\n    ${rootToken.generated}\n\nSend it as "Authorization: Bearer <token>" to write. Set KILN_ADMIN_TOKEN to choose your own;\n"kiln token rotate" replaces a lost one.\n`);
  }
  console.error(`kiln: ${checked.spec.name} on ${driver.dialect} at ${address}/api (docs: ${address}/api/docs)`);
  return -1;
}
