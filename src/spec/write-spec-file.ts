// Writing a spec file the way people read it (two-space JSON, a final newline), atomically: a
// temporary file beside it, flushed, then renamed over it, so a crash leaves the old file or the new
// one, never half of either, and a server reading it meanwhile never sees a torn file.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Spec } from './schema.ts';

export function formatSpec(spec: Spec): string {
  return JSON.stringify(spec, null, 2) + '\n';
}

export async function writeSpecFile(file: string, spec: Spec): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(formatSpec(spec));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
