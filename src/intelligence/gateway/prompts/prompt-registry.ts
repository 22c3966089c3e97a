// The named prompts the gateway may run. Versions are fixed at construction and each carries the
// sha256 of its text, so the AI log can prove which text ran; labels are movable pointers to
// versions, held in memory (a restart starts again from the definitions' labels).
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../model-provider.ts';
import type { PromptDefinition, PromptTemplate } from './prompt-definition.ts';

export type PromptVersion = {
  name: string;
  version: string;
  /** sha256 (hex) of the template: JSON of `{ system, user }` in that order. */
  hash: string;
  template: PromptTemplate;
};

type Entry = { versions: Map<string, PromptVersion>; labels: Map<string, string> };

/** `{{name}}`, with optional spaces inside the braces. */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

export function templateHash(template: PromptTemplate): string {
  return createHash('sha256').update(JSON.stringify({ system: template.system, user: template.user }), 'utf8').digest('hex');
}

export class PromptRegistry {
  readonly #prompts = new Map<string, Entry>();

  constructor(definitions: readonly PromptDefinition[]) {
    for (const def of definitions) {
      if (this.#prompts.has(def.name)) throw new Error(`prompt "${def.name}" is registered twice`);
      const versions = new Map<string, PromptVersion>();
      for (const [version, t] of Object.entries(def.versions)) {
        // A copy, frozen: changing the caller's object later cannot change what a version says.
        const template = Object.freeze({ system: t.system, user: t.user });
        versions.set(version, Object.freeze({ name: def.name, version, hash: templateHash(template), template }));
      }
      if (versions.size === 0) throw new Error(`prompt "${def.name}" has no versions`);
      const labels = new Map(Object.entries(def.labels));
      for (const [label, version] of labels) {
        if (!versions.has(version)) throw new Error(`prompt "${def.name}": label "${label}" points at version "${version}", which does not exist`);
      }
      if (!labels.has('production')) throw new Error(`prompt "${def.name}" has no "production" label`);
      this.#prompts.set(def.name, { versions, labels });
    }
  }

  has(name: string): boolean {
    return this.#prompts.has(name);
  }

  version(name: string, version: string): PromptVersion {
    const v = this.#entry(name).versions.get(version);
    if (!v) throw new Error(`prompt "${name}" has no version "${version}"`);
    return v;
  }

  /** The version a label points at; "production" when no label is given. */
  labelled(name: string, label = 'production'): string {
    const version = this.#entry(name).labels.get(label);
    if (version === undefined) throw new Error(`prompt "${name}" has no label "${label}"`);
    return version;
  }

  setLabel(name: string, label: string, version: string): void {
    this.version(name, version);
    this.#entry(name).labels.set(label, version);
  }

  /**
   * The system and user messages with every `{{name}}` filled. Values go in verbatim and are not
   * scanned again, so a value holding `{{x}}` or `$&` stays exactly as written.
   */
  render(name: string, version: string, variables: Readonly<Record<string, string>>): ChatMessage[] {
    const { template } = this.version(name, version);
    const fill = (text: string) =>
      text.replace(VARIABLE, (_, key: string) => {
        if (!Object.hasOwn(variables, key)) throw new Error(`prompt "${name}" version "${version}": variable "${key}" is not set`);
        return variables[key];
      });
    return [
      { role: 'system', content: fill(template.system) },
      { role: 'user', content: fill(template.user) },
    ];
  }

  list(): { name: string; versions: string[]; labels: Record<string, string> }[] {
    return [...this.#prompts].map(([name, e]) => ({ name, versions: [...e.versions.keys()], labels: Object.fromEntries(e.labels) }));
  }

  #entry(name: string): Entry {
    const e = this.#prompts.get(name);
    if (!e) throw new Error(`unknown prompt "${name}"`);
    return e;
  }
}
