// Media fields that name an uploaded file, checked inside the write's transaction: the file must be
// one the item's own tenant uploaded, and it must fit the field's `accept` and `maxSize`, because an
// upload made without naming the field was not held to them.
import { parseMediaRef } from '../../spec/values.ts';
import type { StorageDriver } from '../driver.ts';
import { DataError, type FieldProblem } from '../errors.ts';
import type { CollectionModel } from '../model.ts';
import type { Executor } from '../read-items.ts';
import type { WriteValues } from '../write-values.ts';
import { findMedia } from './media-table.ts';
import { acceptsType } from './media-types.ts';

export async function checkMediaRefs(trx: Executor, driver: StorageDriver, cm: CollectionModel, tenant: { id: string; slug: string }, values: WriteValues): Promise<void> {
  const problems: FieldProblem[] = [];
  const wanted: { field: string; id: string }[] = [];
  for (const fm of cm.columns) {
    if (fm.field.type !== 'media') continue;
    const value = values.columns.get(fm.name);
    const ref = typeof value === 'string' ? parseMediaRef(value) : undefined;
    if (!ref) continue;
    // The same answer as for an id that does not exist, so nothing is learned about other tenants.
    if (ref.tenant !== tenant.slug) problems.push({ field: fm.name, detail: `no uploaded file with id ${ref.id} in this tenant` });
    else wanted.push({ field: fm.name, id: ref.id });
  }
  const found = await findMedia(trx, driver, tenant.id, wanted.map((w) => w.id));
  for (const { field, id } of wanted) {
    const f = cm.fields.get(field)!.field as { accept?: string[]; maxSize?: number };
    const media = found.get(id);
    if (!media) problems.push({ field, detail: `no uploaded file with id ${id} in this tenant` });
    else if (!acceptsType(f.accept, media.type)) problems.push({ field, detail: `accepts ${f.accept!.join(', ')}; the file is ${media.type}` });
    else if (f.maxSize !== undefined && media.size > f.maxSize) problems.push({ field, detail: `accepts files of at most ${f.maxSize} bytes; the file has ${media.size}` });
  }
  if (problems.length) throw new DataError('invalid_body', 'A media field names a file it cannot hold', problems);
}
