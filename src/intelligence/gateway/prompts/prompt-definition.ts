// A named prompt as its owner writes it, beside the code that uses it (the builder, the AI actions).
// Versions are immutable: a changed text is a new version, so a logged call always names the exact
// text that ran. Labels ("production", "canary", …) are movable pointers to versions; which version a
// tenant gets is decided by a feature flag (prompt-flags.ts), defaulting to the "production" label.

export type PromptTemplate = {
  /** The system message. `{{name}}` is replaced by the call's variable `name`. */
  system: string;
  /** The user message, with the same placeholders. */
  user: string;
};

export type PromptDefinition = {
  /** Dotted, owner first: "builder.plan", "actions.summarize". */
  name: string;
  versions: Readonly<Record<string, PromptTemplate>>;
  /** Label → version. Must hold "production". */
  labels: Readonly<Record<string, string>>;
};
