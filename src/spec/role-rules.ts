// Semantic checks on the row and field rules of roles (`roles.<role>.where` / `.fields`): each rule
// must name a collection, field and action that exist and that the role is granted, so a rule
// never silently does nothing. The data plane (src/data/access.ts) enforces what passes here.
import type { Action, Spec } from './schema.ts';

type Err = (path: PropertyKey[], message: string, fix: string) => void;

/** System fields a role may hide (an item's creator is personal data some readers should not see). */
export const HIDEABLE_SYSTEM_FIELDS = ['createdBy', 'updatedBy'] as const;

function grants(spec: Spec, role: string, collection: string, action: Action): boolean {
  const can = spec.roles?.[role]?.can ?? {};
  if (collection === '*') return Object.values(can).some((a) => a.includes(action));
  return Boolean(can[collection]?.includes(action) || can['*']?.includes(action));
}

export function checkRoleRules(spec: Spec, err: Err): void {
  const collections = Object.keys(spec.collections);
  for (const [rname, role] of Object.entries(spec.roles ?? {})) {
    for (const [target, rules] of Object.entries(role.where ?? {})) {
      const path = ['roles', rname, 'where', target];
      if (target !== '*' && !(target in spec.collections)) {
        err(path, `role "${rname}" has row rules for "${target}", which is not a collection`, `Use an existing collection or "*": ${collections.join(', ')}.`);
        continue;
      }
      for (const [action, rule] of Object.entries(rules) as [Action, string | undefined][]) {
        if (rule === undefined) continue;
        if (!grants(spec, rname, target, action)) {
          err([...path, action], `role "${rname}" is not granted "${action}" on "${target}", so this rule has no effect`, `Add "${action}" under roles.${rname}.can.${target}, or remove the rule.`);
        }
        if (rule === 'published' && target !== '*' && !spec.collections[target].workflow) {
          err([...path, action], `"${target}" has no workflow: every saved item is already published`, 'Remove the rule, or give the collection a workflow with a publish state.');
        }
      }
    }
    for (const [target, rules] of Object.entries(role.fields ?? {})) {
      const path = ['roles', rname, 'fields', target];
      const col = spec.collections[target];
      if (!col) {
        err(path, `role "${rname}" has field rules for "${target}", which is not a collection`, `Use an existing collection: ${collections.join(', ')}.`);
        continue;
      }
      const kinds = [
        ['hidden', rules.hidden, ['read'], HIDEABLE_SYSTEM_FIELDS as readonly string[]],
        ['readOnly', rules.readOnly, ['create', 'update'], [] as readonly string[]],
      ] as const;
      for (const [kind, names, actions, system] of kinds) {
        if (!names) continue;
        if (!actions.some((a) => grants(spec, rname, target, a))) {
          err([...path, kind], `role "${rname}" may not ${actions.join(' or ')} "${target}", so "${kind}" has no effect`, `Grant ${actions.map((a) => `"${a}"`).join(' or ')} under roles.${rname}.can.${target}, or remove "${kind}".`);
        }
        const seen = new Set<string>();
        names.forEach((f, i) => {
          if (seen.has(f)) err([...path, kind, i], `"${f}" is listed twice`, 'List each field once.');
          seen.add(f);
          if (Object.hasOwn(col.fields, f) || system.includes(f)) return;
          const extra = kind === 'readOnly' && ['id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy'].includes(f);
          err(
            [...path, kind, i],
            extra ? `"${f}" is set by Kiln and is never writable` : `"${f}" is not a field of "${target}"`,
            extra ? `Remove "${f}".` : `Use one of: ${[...Object.keys(col.fields), ...system].join(', ')}.`,
          );
        });
      }
    }
  }
}
