// What a planner (offline or model-backed) hands back for a description: a spec that passes
// checkSpec, seed data for it, and plain sentences on what was understood and what was assumed.
import type { Spec } from '../../spec/schema.ts';
import type { SeedDoc } from '../../data/seed.ts';

export type AppPlan = { spec: Spec; seed: SeedDoc; understood: string[]; assumptions: string[] };
