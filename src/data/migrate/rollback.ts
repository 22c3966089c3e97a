// The spec to go back to: an earlier version, annotated with `renamedFrom` wherever a later version
// renamed a collection or field, so a rollback renames back instead of dropping and re-adding.
import type { Spec } from '../../spec/schema.ts';
import type { SpecVersion } from './history.ts';

export function rollbackTarget(versions: SpecVersion[], to: number): Spec {
  const base = versions.find((v) => v.version === to);
  if (!base) throw new Error(`there is no spec version ${to}; see \`kiln spec history\``);
  const target = structuredClone(base.spec);
  type Track = { current: string; fields: Map<string, string> };
  const tracks = new Map<string, Track>();
  for (const [name, col] of Object.entries(target.collections)) {
    delete col.renamedFrom;
    for (const f of Object.values(col.fields)) delete f.renamedFrom;
    tracks.set(name, { current: name, fields: new Map(Object.keys(col.fields).map((f) => [f, f])) });
  }
  for (const v of versions.filter((x) => x.version > to).sort((a, b) => a.version - b.version)) {
    for (const c of v.plan) {
      if (c.kind === 'collection.renamed') {
        for (const t of tracks.values()) if (t.current === c.from) t.current = c.collection;
      } else if (c.kind === 'field.renamed') {
        for (const t of tracks.values()) {
          if (t.current !== c.collection) continue;
          for (const [f, cur] of t.fields) if (cur === c.from) t.fields.set(f, c.field);
        }
      }
    }
  }
  for (const [name, t] of tracks) {
    const col = target.collections[name];
    if (t.current !== name) col.renamedFrom = t.current;
    for (const [f, cur] of t.fields) if (cur !== f) col.fields[f].renamedFrom = cur;
  }
  return target;
}
