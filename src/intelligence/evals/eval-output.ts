// What a suite's subject hands to the assertions: one shape per kind of work, so each assertion
// states which output it reads and a mismatch is a clear failure rather than a crash.
import type { Spec } from '../../spec/schema.ts';

export type SpecOutput = {
  kind: 'spec';
  /** The resulting spec: the plan, or the base with the edit applied. Undefined when nothing usable came back. */
  spec: Spec | undefined;
  /** For edits: the spec the request was made against. */
  base?: Spec;
  /** The patch an edit produced, as the builder returned it. */
  patch?: unknown;
  /** Problems of the resulting spec under checkSpec (empty when valid). */
  problems: string[];
  /** What the guard refused, in its words. */
  refused: string[];
  /** Instruction-like text the builder found in its input and treated as data. */
  warnings: string[];
  understood: string[];
  assumptions: string[];
  source: string;
};

export type ActionOutput = {
  kind: 'action';
  action: 'summarize' | 'seo' | 'suggestTags' | 'translate';
  /** The text the action worked from. */
  sourceText: string;
  /** The candidate tags the action could choose from (suggestTags). */
  candidates: string[];
  /** Named texts of the suggestion: summary, title, description, text. */
  texts: Record<string, string>;
  tags: string[];
  source: string;
};

export type RedactionOutput = {
  kind: 'redaction';
  original: string;
  redacted: string;
  restored: string;
  /** What the redactor reported finding, one entry per distinct value (kinds only: values are never logged). */
  found: { kind: string }[];
};

export type EvalOutput = SpecOutput | ActionOutput | RedactionOutput;

export type Check = { pass: boolean; detail: string };
