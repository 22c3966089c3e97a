// `kiln ai log`: the model gateway's audit log. Every call is recorded with its tenant, prompt
// version, provider, models, tokens, source and outcome; its prompt and output are stored by content
// hash and shown with --show.
import { parseArgs } from 'node:util';
import { createAiTables } from '../data/ai/ai-tables.ts';
import { lockSchema } from '../data/schema-sync.ts';
import { CallLog, type CallRecord } from '../intelligence/gateway/call-log.ts';
import { getBlob } from '../intelligence/gateway/storage/content-blobs.ts';
import { withApp } from './with-app.ts';

export const help = `Usage: kiln ai log [SPEC] [options]

Lists the model calls of the app of SPEC (default ./kiln.json), newest first, from the database of
KILN_DATA_DIR / KILN_DATABASE_URL: time, call id, tenant, prompt@version, provider and model, where
the answer came from (model, cache or offline), tokens in/out, latency and the outcome.

Options:
  --tenant T     Only calls of tenant T ("_" for work outside any tenant).
  --prompt P     Only calls of prompt P (for example builder.plan).
  --version V    Only calls that ran version V of the prompt.
  --model M      Only calls that asked for or were answered by model M.
  --limit N      At most N calls (default 50).
  --json         One JSON object per line instead of a table.
  --show ID      The call ID in full, with its stored prompt and output.
  -h, --help     Show this help.`;

export async function aiCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        prompt: { type: 'string' },
        version: { type: 'string' },
        model: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        show: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`kiln ai: ${(e as Error).message}\n\n${help}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] !== 'log' || positionals.length > 2) {
    console.log(help);
    return values.help ? 0 : 1;
  }
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    console.error(`kiln ai log: --limit must be a whole number above 0, not "${values.limit}"`);
    return 1;
  }
  return withApp(positionals[1], async ({ driver }) => {
    await driver.db.transaction().execute(async (trx) => {
      await lockSchema(trx, driver);
      await createAiTables(trx, driver);
    });
    const log = new CallLog(driver);
    if (values.show !== undefined) {
      const call = /^[0-9a-f-]{36}$/i.test(values.show) ? await log.get(values.show.toLowerCase()) : undefined;
      if (!call) {
        console.error(`kiln ai log: no call with id "${values.show}"`);
        return 1;
      }
      const prompt = call.promptHash ? await getBlob(driver.db, call.promptHash) : undefined;
      const output = call.outputHash ? await getBlob(driver.db, call.outputHash) : undefined;
      if (values.json) {
        console.log(JSON.stringify({ ...call, promptMessages: prompt === undefined ? null : JSON.parse(prompt), output: output ?? null }));
        return 0;
      }
      console.log(showCall(call, prompt, output));
      return 0;
    }
    const calls = await log.list({ tenant: values.tenant, prompt: values.prompt, version: values.version, model: values.model, limit });
    if (values.json) {
      for (const c of calls) console.log(JSON.stringify(c));
      return 0;
    }
    if (calls.length === 0) {
      console.log('no model calls recorded');
      return 0;
    }
    console.log(table(calls));
    return 0;
  });
}

function table(calls: CallRecord[]): string {
  const header = ['time', 'id', 'tenant', 'prompt', 'provider/model', 'source', 'tokens in/out', 'ms', 'outcome'];
  const rows = calls.map((c) => [
    c.createdAt.replace('T', ' ').slice(0, 19),
    c.id,
    c.tenant,
    `${c.prompt}@${c.version}${c.kind === 'shadow' ? ' (shadow)' : ''}`,
    `${c.provider}/${c.responseModel ?? c.requestedModel}`,
    c.source ?? '-',
    `${c.inputTokens}/${c.outputTokens}`,
    c.latencyMs === null ? '-' : String(c.latencyMs),
    outcome(c),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function outcome(c: CallRecord): string {
  if (c.status === 'pending') return 'pending';
  if (c.status === 'failed') return `failed${c.errorKind ? ` (${c.errorKind})` : ''}`;
  const parts = ['ok'];
  if (c.repairs) parts.push(`${c.repairs} repair(s)`);
  if (c.errorKind) parts.push(`after ${c.errorKind}`);
  return parts.join(', ');
}

function showCall(c: CallRecord, prompt: string | undefined, output: string | undefined): string {
  const lines = [
    `call        ${c.id}${c.kind === 'shadow' ? ' (shadow run)' : ''}`,
    `time        ${c.createdAt}`,
    `tenant      ${c.tenant}${c.user ? `  user ${c.user}` : ''}`,
    `prompt      ${c.prompt}@${c.version}`,
    `provider    ${c.provider}  requested ${c.requestedModel}  answered by ${c.responseModel ?? '-'}`,
    `source      ${c.source ?? '-'}${c.cacheHit ? ' (cache hit)' : ''}`,
    `tokens      ${c.inputTokens} in, ${c.outputTokens} out`,
    `latency     ${c.latencyMs ?? '-'} ms`,
    `outcome     ${outcome(c)}`,
  ];
  if (c.idempotencyKey) lines.push(`idempotency ${c.idempotencyKey}`);
  for (const n of c.notes) lines.push(`note        ${n}`);
  lines.push('', `prompt (sha256 ${c.promptHash ?? '-'}):`);
  if (prompt === undefined) lines.push('  (not stored)');
  else for (const m of JSON.parse(prompt) as { role: string; content: string }[]) lines.push(`--- ${m.role}`, m.content);
  lines.push('', `output (sha256 ${c.outputHash ?? '-'}):`, output ?? '  (none)');
  return lines.join('\n');
}
