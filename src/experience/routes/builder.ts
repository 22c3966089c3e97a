// The builder over HTTP, for the admin UI: a description → a spec draft, and a request → a patch
// with its typed diff and the dry-run migration plan. Nothing is applied here; `kiln edit --yes` or
// `kiln migrate` applies. Root token only: a spec decides who may do what.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError } from '../../data/errors.ts';
import type { Store } from '../../data/store.ts';
import { migrate, describe, type MigrationReport } from '../../data/migrate/migrate.ts';
import { checkSpec } from '../../spec/check.ts';
import { diffSpecs, worstClass } from '../../spec/diff.ts';
import type { Spec } from '../../spec/schema.ts';
import type { ModelGateway } from '../../intelligence/gateway/model-gateway.ts';
import { editApp, planApp } from '../../intelligence/builder/builder.ts';
import { PlanError } from '../../intelligence/builder/planner/plan-offline.ts';
import type { JsonSchema } from '../json-schemas.ts';

const planBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['description'],
  properties: { description: { type: 'string', minLength: 1, maxLength: 5000, description: 'The app in plain words.' } },
};

const editBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['request'],
  properties: {
    request: { type: 'string', minLength: 1, maxLength: 2000, description: 'The change in plain words, for example "add a featured flag to articles".' },
    spec: { type: 'object', description: 'The spec to edit; default: the spec this server runs.' },
  },
};

type Deps = { store: Store; actor: (req: FastifyRequest) => Actor; gateway: ModelGateway };

export function builderRoutes(app: FastifyInstance, { store, actor, gateway }: Deps): void {
  // Checked before the body: a caller who may not build learns nothing about the bodies.
  const rootOnly = async (req: FastifyRequest) => {
    const a = actor(req);
    if (a.kind === 'anonymous') throw new DataError('unauthenticated', 'The builder needs the root token');
    if (a.kind !== 'root') throw new DataError('forbidden', 'Only the root token may use the builder');
  };

  app.post('/api/builder/plan', {
    schema: { body: planBodySchema },
    preValidation: rootOnly,
    handler: async (req) => {
      const { description } = req.body as { description: string };
      let planned;
      try {
        planned = await planApp(gateway, { description });
      } catch (e) {
        if (e instanceof PlanError) throw new DataError('invalid_body', e.message, [{ field: 'description', detail: e.message }]);
        throw e;
      }
      const checked = checkSpec(planned.spec);
      return {
        spec: planned.spec,
        seed: planned.seed,
        understood: planned.understood,
        assumptions: planned.assumptions,
        refused: planned.refused,
        warnings: planned.warnings,
        source: planned.source,
        checks: { ok: checked.ok, errors: checked.ok ? [] : checked.errors, warnings: checked.warnings },
      };
    },
  });

  app.post('/api/builder/edit', {
    schema: { body: editBodySchema },
    preValidation: rootOnly,
    handler: async (req) => {
      const body = req.body as { request: string; spec?: unknown };
      const base = body.spec === undefined ? store.spec : checkedSpec(body.spec);
      const edited = await editApp(gateway, { spec: base, request: body.request });
      if (edited.patch.ops.length === 0) {
        const why = edited.assumptions.filter((a) => /^Not (?:understood|applied)/.test(a));
        const detail = why.length ? why.join(' ') : 'The request asks for no change the builder can make.';
        throw new DataError('invalid_body', detail, [{ field: 'request', detail }]);
      }
      const changes = diffSpecs(base, edited.spec);
      return {
        patch: edited.patch,
        spec: edited.spec,
        changes,
        verdict: worstClass(changes),
        plan: await dryRun(store, edited.spec),
        understood: edited.understood,
        assumptions: edited.assumptions,
        refused: edited.refused,
        warnings: edited.warnings,
        source: edited.source,
      };
    },
  });
}

function checkedSpec(input: unknown): Spec {
  const checked = checkSpec(input);
  if (checked.ok) return checked.spec;
  const errors = checked.errors.map((e) => ({ field: `spec${e.path === '/' ? '' : e.path.replace(/\//g, '.')}`, detail: `${e.message} (${e.fix})` }));
  throw new DataError('invalid_body', `"spec" is not a valid spec: ${errors[0].field} ${checked.errors[0].message}`, errors);
}

/** The migration from the spec the database holds to `target`, run in a transaction that is rolled back. */
async function dryRun(store: Store, target: Spec) {
  const report: MigrationReport = await migrate(store.driver, target, { dryRun: true, allowBreaking: true });
  const breaking = report.changes.filter((c) => c.class === 'breaking');
  return {
    fromVersion: report.fromVersion,
    toVersion: report.toVersion,
    verdict: report.verdict,
    breaking: breaking.length > 0,
    /** Applying needs --allow-breaking for these. */
    needsAllowBreaking: breaking.map((c) => `${describe(c)}: ${c.reason}`),
    refused: report.refused,
    steps: report.statements,
    rows: report.rows,
    failures: report.failures,
  };
}
