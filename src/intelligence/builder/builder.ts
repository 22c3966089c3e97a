// The builder's two tasks through the model gateway: plan an app from a description, and edit a
// spec from a request. Whoever answers — a model, the cache or the offline planner/editor — the
// answer passes the same checks: the zod schema, checkSpec, the patch applying cleanly, and the
// safety guard. A model's answer that fails goes back to it for repair (the gateway's loop).
import { z } from 'zod';
import { specSchema, type Spec } from '../../spec/schema.ts';
import { checkSpec } from '../../spec/check.ts';
import type { SeedDoc } from '../../data/seed.ts';
import type { GatewayResult, ModelGateway, Validation } from '../gateway/model-gateway.ts';
import type { AppPlan } from './app-plan.ts';
import { planOffline } from './planner/plan-offline.ts';
import { seedFor } from './planner/seed-data.ts';
import { applyPatch, patchOpSchema, type SpecPatch } from './spec-patch.ts';
import { editOffline } from './edit-offline.ts';
import { guardEdit, guardPlan, instructionWarnings, specTexts } from './guard.ts';

/** Work outside any tenant (the CLI, the root token's admin calls) is budgeted and logged under "_". */
const NO_TENANT = '_';

type Explained = { understood: string[]; assumptions: string[]; refused: string[] };
export type PlannedApp = AppPlan & Explained;
export type EditedSpec = Explained & { patch: SpecPatch; spec: Spec };

type Provenance = Pick<GatewayResult<unknown>, 'source' | 'provider' | 'model' | 'promptVersion' | 'notes' | 'callId'>;
/** `warnings`: instruction-like text found in the input or in the answer; it was treated as data. */
export type BuilderOutcome<T> = T & Provenance & { warnings: string[] };

const notes = { understood: z.array(z.string().max(2000)).max(200).optional(), assumptions: z.array(z.string().max(2000)).max(200).optional() };
const planAnswerSchema = z.object({ spec: specSchema, ...notes }).strict();
const editAnswerSchema = z.object({ ops: z.array(patchOpSchema).max(200), ...notes }).strict();

const jsonSchema = (schema: z.ZodType, title: string) => ({ ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }), title });
let planSchemaCache: Record<string, unknown> | undefined;
let editSchemaCache: Record<string, unknown> | undefined;
export const planAnswerJsonSchema = () => (planSchemaCache ??= jsonSchema(planAnswerSchema, 'Kiln app plan'));
export const editAnswerJsonSchema = () => (editSchemaCache ??= jsonSchema(editAnswerSchema, 'Kiln spec patch'));

const zodProblems = (e: z.ZodError, at = (path: string) => path) => e.issues.map((i) => `${at(i.path.length ? `/${i.path.join('/')}` : '/')}: ${i.message}`);
const provenance = (r: GatewayResult<unknown>): Provenance => ({ source: r.source, provider: r.provider, model: r.model, promptVersion: r.promptVersion, notes: r.notes, callId: r.callId });

/** `name`: the app's name, whoever plans it (`kiln new` names the app after its folder). */
export async function planApp(gateway: ModelGateway, input: { description: string; name?: string; tenant?: string; user?: string }): Promise<BuilderOutcome<PlannedApp>> {
  const { description, name } = input;
  const result = await gateway.run<PlannedApp>({
    tenant: input.tenant ?? NO_TENANT,
    user: input.user,
    prompt: 'builder.plan',
    variables: { description },
    schema: planAnswerJsonSchema(),
    validate: (json) => validatePlan(json, name),
    offline: () => {
      const plan = planOffline(description, { name });
      const guarded = guardPlan(plan.spec, 'offline');
      const checked = checkSpec(guarded.spec);
      // The guard only removes, so what the planner checked still checks; a failure is a defect.
      if (!checked.ok) throw new Error(`the guarded plan is not a valid spec: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      return { ...plan, spec: checked.spec, refused: guarded.refused };
    },
  });
  const warnings = instructionWarnings({ description, 'planned spec': result.source === 'offline' ? undefined : specTexts(result.value.spec) });
  return { ...result.value, ...provenance(result), warnings };
}

/** A model's plan: a spec (bare, or as {spec, understood, assumptions}) that checks and passes the guard. */
export function validatePlan(json: unknown, name?: string): Validation<PlannedApp> {
  const bare = typeof json === 'object' && json !== null && 'kiln' in json;
  const parsed = planAnswerSchema.safeParse(bare ? { spec: json } : json);
  // Problems go back to the model, so they point into the document it wrote: its spec is at /spec unless it answered with the bare spec.
  const inAnswer = (specPath: string) => (bare ? specPath : `/spec${specPath === '/' ? '' : specPath}`);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error, (path) => (bare ? path.replace(/^\/spec(?=\/|$)/, '') || '/' : path)) };
  if (name !== undefined) parsed.data.spec.name = name;
  const checked = checkSpec(parsed.data.spec);
  if (!checked.ok) return { ok: false, problems: checked.errors.map((e) => `${inAnswer(e.path)}: ${e.message} (${e.fix})`) };
  const guarded = guardPlan(checked.spec, 'model');
  const again = checkSpec(guarded.spec);
  if (!again.ok) return { ok: false, problems: again.errors.map((e) => `${inAnswer(e.path)}: ${e.message} (${e.fix})`) };
  // Models write specs, not content: the sample content comes from the same generator the offline planner uses.
  const seed: SeedDoc = seedFor(again.spec);
  return {
    ok: true,
    value: {
      spec: again.spec,
      seed,
      understood: parsed.data.understood ?? [],
      assumptions: [...(parsed.data.assumptions ?? []), 'The sample content in seed.json is generated from the field types, not written by the model.'],
      refused: guarded.refused,
    },
  };
}

export async function editApp(gateway: ModelGateway, input: { spec: Spec; request: string; tenant?: string; user?: string }): Promise<BuilderOutcome<EditedSpec>> {
  const { spec, request } = input;
  const result = await gateway.run<EditedSpec>({
    tenant: input.tenant ?? NO_TENANT,
    user: input.user,
    prompt: 'builder.edit',
    variables: { spec: JSON.stringify(spec), request },
    schema: editAnswerJsonSchema(),
    validate: (json) => validateEdit(spec, json),
    offline: () => {
      const edit = editOffline(spec, request);
      const applied = applyPatch(spec, edit.patch);
      // Every clause was applied on its own already; the whole patch failing is a defect.
      if (!applied.ok) throw new Error(`the offline patch does not apply: ${applied.problems.map((p) => p.message).join('; ')}`);
      const guarded = guardEdit(spec, applied.spec, 'offline');
      const checked = checkSpec(guarded.spec);
      if (!checked.ok) throw new Error(`the guarded edit is not a valid spec: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      return { patch: edit.patch, spec: checked.spec, understood: edit.understood, assumptions: edit.assumptions, refused: guarded.refused };
    },
  });
  const warnings = instructionWarnings({ request, 'current spec': specTexts(spec) });
  return { ...result.value, ...provenance(result), warnings };
}

/** A model's patch: operations that apply to `spec`, whose result checks and passes the guard. */
export function validateEdit(spec: Spec, json: unknown): Validation<EditedSpec> {
  const parsed = editAnswerSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const patch: SpecPatch = { ops: parsed.data.ops };
  const applied = applyPatch(spec, patch);
  if (!applied.ok) return { ok: false, problems: applied.problems.map((p) => (p.op >= 0 ? `/ops/${p.op}: ${p.message}` : p.message)) };
  const guarded = guardEdit(spec, applied.spec, 'model');
  const checked = checkSpec(guarded.spec);
  if (!checked.ok) return { ok: false, problems: checked.errors.map((e) => `${e.path}: ${e.message} (${e.fix})`) };
  return { ok: true, value: { patch, spec: checked.spec, understood: parsed.data.understood ?? [], assumptions: parsed.data.assumptions ?? [], refused: guarded.refused } };
}
