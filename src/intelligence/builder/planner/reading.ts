// What the planner read from a description, before it becomes a spec: entities with the phrases of
// their fields, relation requests by noun phrase (resolved once every entity is known), actors and
// what they do, review steps, tenancy and sign-in.
export type EntityDraft = {
  key: string;
  /** Field phrases in the order they were written. */
  fieldPhrases: string[];
  defined: boolean;
  searchable: boolean;
  examples: string[];
  /** Default fields when the text lists none. */
  origin: 'defined' | 'mentioned' | 'nominal';
  /** Only named as who makes or leads something ("led by one guide"): named, whatever its noun usually holds. */
  agent?: boolean;
  order: number;
};

export type RelationRequest = {
  from: string;
  target: string;
  many: boolean;
  name?: string;
  self?: boolean;
  why: string;
  required?: boolean;
  /** Read from a verb ("authors write many articles"): dropped when the target already links back to one. */
  inverse?: boolean;
  /** Only when the source turns out to be a collection the text defines ("members post many replies"). */
  ifSourceDefined?: boolean;
};

export type ActorAct = { actor: string; verb: string; targets: string[]; sentence: string };

export type ReviewStep = { targets: string[]; approver: string; creators: string[]; style: 'review' | 'approve'; sentence: string; fallbackSubject?: string };

export type Reading = {
  appKind?: string;
  appWords: string[];
  entities: Map<string, EntityDraft>;
  relations: RelationRequest[];
  acts: ActorAct[];
  reviews: ReviewStep[];
  tenancy: { multi: boolean; owner?: string; owned: string[]; why?: string };
  signInSentences: string[];
  searchableAll: boolean;
  /** Nouns of the sentences that ask for search: those collections become searchable. */
  searchableNouns: string[];
  /** Example names by entity key ("a version such as 1.0 or 2.0"). */
  examples: Map<string, string[]>;
  understood: string[];
  assumptions: string[];
  unparsed: string[];
};
