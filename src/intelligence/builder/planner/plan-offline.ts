// The offline planner: description → AppPlan with wink-nlp and a grammar of content descriptions.
// No network, no model; synchronous.
import type { AppPlan } from '../app-plan.ts';
import { checkSpec } from '../../../spec/check.ts';
import { readDescription } from './read-description.ts';
import { buildSpec } from './build-spec.ts';
import { readAuth } from './auth-intent.ts';
import { guardRoles } from './injection.ts';
import { seedFor } from './seed-data.ts';

export type PlanOptions = { /** App name to use instead of one derived from the description (a valid spec name). */ name?: string };

export class PlanError extends Error {}

export function planOffline(description: string, options: PlanOptions = {}): AppPlan {
  if (!description.trim()) throw new PlanError('The description is empty: say what the app holds, for example "a blog with posts and tags".');
  const reading = readDescription(description);
  const built = buildSpec(reading, options.name);
  const auth = readAuth(reading.signInSentences);
  if (auth.auth) built.spec.auth = auth.auth;
  const removed = guardRoles(built.spec);
  const assumptions = [...built.assumptions, ...auth.assumptions, ...removed.map((x) => `Removed ${x}: the builder never grants that from a description.`)];
  if (Object.keys(built.spec.collections).length === 0) {
    throw new PlanError('No collections were found in the description. Name the things the app holds, for example "Posts have a title and a body."');
  }
  const checked = checkSpec(built.spec);
  if (!checked.ok) {
    throw new PlanError(`The planner produced an invalid spec (a planner defect): ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  }
  return { spec: checked.spec, seed: seedFor(checked.spec, built.examples), understood: [...built.understood, ...auth.understood], assumptions };
}
