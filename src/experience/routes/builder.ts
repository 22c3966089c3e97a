// The builder over HTTP, for the admin UI: a description → a spec draft, a request → a patch with its
// typed diff and the dry-run migration plan, and applying a change to the running app through the
// same migration gate as `kiln migrate` (then the spec file the server was started from is
// rewritten, and this server switches to the new version). Root token only: a spec decides who may
// do what.
import { existsSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../data/access.ts';
import { DataError } from '../../data/errors.ts';
import type { Store } from '../../data/store.ts';
import { migrate, describe, StaleVersionError, type MigrationReport } from '../../data/migrate/migrate.ts';
import { currentVersion } from '../../data/migrate/history.ts';
import { checkSpec } from '../../spec/check.ts';
import { diffSpecs, worstClass, type SpecChange } from '../../spec/diff.ts';
import type { Spec } from '../../spec/schema.ts';
import type { ModelGateway } from '../../intelligence/gateway/model-gateway.ts';
import { editApp, planApp } from '../../intelligence/builder/builder.ts';
import { PlanError } from '../../intelligence/builder/planner/plan-offline.ts';
import { applyPatch, specPatchSchema } from '../../intelligence/builder/spec-patch.ts';
import { guardEdit } from '../../intelligence/builder/guard.ts';
import { loadSpec } from '../../spec/load.ts';
import { writeSpecFile } from '../../spec/write-spec-file.ts';
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

const applyBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['expectedVersion'],
  properties: {
    request: { type: 'string', maxLength: 2000, description: 'The change in plain words, recorded with the new spec version.' },
    patch: { type: 'object', description: 'The patch POST /api/builder/edit answered with; applied to the spec the database holds and guarded again.' },
    spec: { type: 'object', description: 'A whole new spec instead of a patch, as `kiln migrate` takes it: it must pass the spec checks.' },
    expectedVersion: { type: 'integer', minimum: 1, description: 'The spec version the preview was computed against (plan.fromVersion); another one is a 409.' },
    allowBreaking: { type: 'boolean', description: 'Accept changes that drop data or change what API clients receive.' },
    backfills: { type: 'object', additionalProperties: true, description: 'Values for existing items that need one, keyed "collection.field".' },
  },
};

type ApplyBody = { request?: string; patch?: unknown; spec?: unknown; expectedVersion: number; allowBreaking?: boolean; backfills?: Record<string, unknown> };

/** What the builder routes need beyond the app: where the served spec came from, and how to switch to a new version. */
export type BuilderHost = {
  /** The spec file the server was started from; rewritten after an apply. */
  specFile?: string;
  /** Called once a new spec version is recorded; resolves when this server serves it. */
  onApplied?: (version: number) => Promise<void>;
};

type Deps = { store: Store; actor: (req: FastifyRequest) => Actor; gateway: ModelGateway; host?: BuilderHost };

export function builderRoutes(app: FastifyInstance, { store, actor, gateway, host = {} }: Deps): void {
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
      // The spec the database holds is what an apply starts from, even before this server has switched to it.
      const current = body.spec === undefined ? await currentVersion(store.driver) : undefined;
      const base = body.spec === undefined ? (current?.spec ?? store.spec) : checkedSpec(body.spec);
      const edited = await editApp(gateway, { spec: base, request: body.request });
      if (edited.patch.ops.length === 0) {
        const why = edited.assumptions.filter((a) => /^Not (?:understood|applied)/.test(a));
        const detail = why.length ? why.join(' ') : 'The request asks for no change the builder can make.';
        throw new DataError('invalid_body', detail, [{ field: 'request', detail }]);
      }
      const changes = diffSpecs(base, edited.spec);
      return {
        /** The spec version the patch was made for: pass it as expectedVersion to POST /api/builder/apply. */
        version: current?.version ?? null,
        patch: edited.patch,
        spec: edited.spec,
        changes: summarized(changes),
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

  app.post('/api/builder/apply', {
    schema: { body: applyBodySchema },
    preValidation: rootOnly,
    handler: async (req) => {
      const body = req.body as ApplyBody;
      if ((body.patch === undefined) === (body.spec === undefined)) {
        throw new DataError('invalid_body', 'Send either "patch" or "spec"', [{ field: body.patch === undefined ? 'patch' : 'spec', detail: 'give a patch or a whole spec, not both and not neither' }]);
      }
      const current = await currentVersion(store.driver);
      if (!current) throw new Error('the running app has no recorded spec version');
      if (current.version !== body.expectedVersion) throw stale(current.version, body.expectedVersion);

      let target: Spec;
      let refused: string[] = [];
      if (body.patch !== undefined) {
        // A patch is builder output: it passes the same guard as when it was previewed, so nothing
        // text could not ask for gets in by sending the patch back changed.
        const parsed = specPatchSchema.safeParse(body.patch);
        if (!parsed.success) {
          const errors = parsed.error.issues.map((i) => ({ field: ['patch', ...i.path].join('.'), detail: i.message }));
          throw new DataError('invalid_body', `"patch" is not a spec patch: ${errors[0].field} ${errors[0].detail}`, errors);
        }
        const applied = applyPatch(current.spec, parsed.data);
        if (!applied.ok) {
          const errors = applied.problems.map((p) => ({ field: p.op >= 0 ? `patch.ops.${p.op}` : 'patch', detail: p.message }));
          throw new DataError('invalid_body', `The patch does not apply to spec version ${current.version}: ${errors[0].detail}`, errors);
        }
        const guarded = guardEdit(current.spec, applied.spec, 'patch');
        target = checkedSpec(guarded.spec);
        refused = guarded.refused;
      } else {
        // A whole spec is the operator's own, as with `kiln migrate`: it must check, and the gate still applies.
        target = checkedSpec(body.spec);
      }

      const changes = diffSpecs(current.spec, target);
      if (!changes.length) {
        const detail = `Spec version ${current.version} already is this spec: there is nothing to apply`;
        throw new DataError('invalid_body', detail, [{ field: body.patch === undefined ? 'spec' : 'patch', detail }]);
      }
      const breaking = changes.filter((c) => c.class === 'breaking');
      if (breaking.length && body.allowBreaking !== true) {
        throw new DataError(
          'invalid_body',
          `Not applied: ${breaking.length === 1 ? 'this change is' : 'these changes are'} breaking; send "allowBreaking": true to accept ${breaking.length === 1 ? 'it' : 'them'}`,
          breaking.map((c) => ({ field: 'allowBreaking', detail: `${describe(c)}: ${c.reason}` })),
        );
      }

      let report: MigrationReport;
      try {
        report = await migrate(store.driver, target, {
          allowBreaking: body.allowBreaking === true,
          backfills: new Map(Object.entries(body.backfills ?? {})),
          author: body.request ? `admin builder: ${body.request.slice(0, 200)}` : 'admin builder',
          expectedVersion: current.version,
        });
      } catch (e) {
        if (e instanceof StaleVersionError) throw stale(e.current, body.expectedVersion);
        throw e;
      }
      if (!report.applied || report.toVersion === null) {
        const errors = [
          ...report.refused.map((r) => ({ field: 'spec', detail: r })),
          ...report.failures.map((f) => ({ field: f.field ? `backfills.${f.collection}.${f.field}` : 'spec', detail: [f.collection, f.id, f.field].filter(Boolean).join(' ') + `: ${f.message}` })),
        ];
        throw new DataError('invalid_body', `Not applied: ${report.refused[0] ?? 'existing items would not fit the new spec'}; nothing changed`, errors);
      }

      const specFile = host.specFile ? await rewriteSpecFile(host.specFile, current.spec, target) : null;
      await host.onApplied?.(report.toVersion);
      return {
        version: report.toVersion,
        fromVersion: report.fromVersion,
        verdict: report.verdict,
        changes: summarized(report.changes),
        refused,
        steps: report.statements,
        rows: report.rows,
        specFile,
      };
    },
  });
}

/** Each change with its one-line description, as `kiln migrate` prints it. */
const summarized = (changes: SpecChange[]) => changes.map((c) => ({ ...c, summary: describe(c) }));

const stale = (current: number, expected: number) => {
  const detail = `The app is at spec version ${current}, not ${expected}: it changed since the preview; preview again`;
  return new DataError('conflict', detail, [{ field: 'expectedVersion', detail }]);
};

/**
 * The spec file the server was started from gets the applied spec, unless it no longer holds the
 * spec the change was made from (edited by hand meanwhile): those edits are the operator's, so it
 * is left alone and the answer says so.
 */
async function rewriteSpecFile(file: string, from: Spec, to: Spec): Promise<{ path: string; written: boolean; detail: string }> {
  if (existsSync(file)) {
    const onDisk = await loadSpec(file);
    if (!onDisk.ok || diffSpecs(onDisk.spec, from).length > 0) {
      return { path: file, written: false, detail: `${file} differs from the spec the database held, so it was not overwritten; update it to match the new version before the next restart (kiln spec history shows it).` };
    }
  }
  try {
    await writeSpecFile(file, to);
    return { path: file, written: true, detail: `Wrote ${file}.` };
  } catch (e) {
    return { path: file, written: false, detail: `The database was migrated, but ${file} could not be written (${(e as Error).message}); update it to match the new version before the next restart.` };
  }
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
