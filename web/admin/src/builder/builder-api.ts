// What the builder routes answer (POST /api/builder/edit, /apply, /plan), as the page reads it.
export type ChangeClass = 'safe' | 'backfill' | 'breaking';

export type SpecChange = {
  kind: string;
  class: ChangeClass;
  reason: string;
  /** One line, as `kiln migrate` prints it. */
  summary: string;
  collection?: string;
  field?: string;
  role?: string;
};

export type RowFailure = { collection: string; id?: string; field?: string; message: string };

export type DryRun = {
  fromVersion: number;
  toVersion: number | null;
  verdict: ChangeClass;
  breaking: boolean;
  needsAllowBreaking: string[];
  refused: string[];
  steps: string[];
  rows: { collection: string; copied: number }[];
  failures: RowFailure[];
};

type Explained = { understood: string[]; assumptions: string[]; refused: string[]; warnings: string[]; source: string };

export type EditPreview = Explained & {
  version: number | null;
  patch: { ops: unknown[] };
  changes: SpecChange[];
  verdict: ChangeClass;
  plan: DryRun;
};

export type Applied = {
  version: number;
  fromVersion: number;
  verdict: ChangeClass;
  changes: SpecChange[];
  refused: string[];
  steps: string[];
  rows: { collection: string; copied: number }[];
  specFile: { path: string; written: boolean; detail: string } | null;
};

export type AppDraft = Explained & {
  spec: { name: string; title?: string; collections: Record<string, { label?: string; fields: Record<string, { type: string; required?: boolean }> }> } & Record<string, unknown>;
  checks: { ok: boolean; errors: { path: string; message: string }[] };
};

export const CLASS_LABEL: Record<ChangeClass, string> = { safe: 'Safe', backfill: 'Backfill', breaking: 'Breaking' };
