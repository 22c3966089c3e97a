// Sentences that try to instruct the builder instead of describing an app. They are dropped and
// reported; the spec is also checked afterwards (guardRoles) so no wording can slip a grant through.
import type { Spec } from '../../../spec/schema.ts';

const PATTERNS: [RegExp, string][] = [
  [/\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:previous|prior|above|earlier|all|any|your|the)\b.{0,20}\b(?:instructions?|rules?|prompts?|guidelines?|constraints?)\b/, 'it tries to override the builder\'s instructions'],
  [/\b(?:system prompt|you are now|act as|jailbreak|developer mode|pretend (?:to be|you are))\b/, 'it addresses the builder, not the app'],
  [/\b(?:make|give|grant|let|set|add)\b.{0,40}\b(?:everyone|everybody|all users|anyone|anybody|the public|public|visitors|readers|guests|anonymous|users)\b.{0,40}\b(?:admins?|administrators?|superusers?|root|full (?:access|control|rights|permissions)|all (?:access|rights|permissions)|delete|owner)\b/, 'it asks for broad or administrative access'],
  [/\b(?:everyone|everybody|anyone|anybody|the public|visitors|readers|anonymous users?)\b.{0,30}\b(?:is|are|be|becomes?|can)\b.{0,20}\b(?:an? )?(?:admins?|administrators?|superusers?|root|delete (?:anything|everything|all))\b/, 'it asks for broad or administrative access'],
  [/\b(?:admin|root|superuser|wildcard|\*)\s+(?:role|access|rights|permissions?)\b.{0,30}\b(?:for|to)\b.{0,20}\b(?:everyone|all|anyone|public)\b/, 'it asks for broad or administrative access'],
  [/\b(?:disable|turn off|switch off|remove|skip|bypass|drop|no need for|without)\b.{0,30}\b(?:auth(?:entication|orization)?|log ?ins?|sign[- ]?ins?|passwords?|security|access control|permissions|tenant isolation|tenant scop\w*|tenancy checks?|isolation)\b/, 'it asks to weaken security'],
];

export function findInjection(sentence: string): string | undefined {
  const s = sentence.toLowerCase();
  for (const [re, why] of PATTERNS) if (re.test(s)) return why;
  return undefined;
}

const FORBIDDEN_ROLE = /^(?:admin|admins|administrator|administrators|root|superuser|superusers|sudo|owner_all|god)$/i;

/**
 * The last line of defence, whatever the planner read: no wildcard grants, no administrative role
 * names, nothing but reading and contributing for the public. Returns what it removed.
 */
export function guardRoles(spec: Spec): string[] {
  const removed: string[] = [];
  for (const [name, role] of Object.entries(spec.roles ?? {})) {
    if (FORBIDDEN_ROLE.test(name)) {
      delete spec.roles![name];
      removed.push(`role "${name}"`);
      continue;
    }
    for (const [target, actions] of Object.entries(role.can ?? {})) {
      if (target === '*') {
        delete role.can![target];
        removed.push(`the wildcard grant of role "${name}"`);
        continue;
      }
      if (name === 'public') {
        const kept = actions.filter((a) => a === 'read' || a === 'create');
        if (kept.length !== actions.length) removed.push(`public ${actions.filter((a) => a !== 'read' && a !== 'create').join('/')} on ${target}`);
        role.can![target] = kept;
      }
    }
  }
  return removed;
}
