// Reads a description sentence by sentence into a Reading. Each clause is a subject (found by its
// part-of-speech tags) and a predicate matched against a small grammar of how people describe
// content: "X have …", "X belong to a Y", "X are written by Y", "X tagged with Ys", "Ys apply to Xs".
import { sentences, tag, type Token } from './nlp.ts';
import { splitList } from './split-list.ts';
import { isPlural, singular, words } from './inflect.ts';
import { APP_FILLER, APP_NOUNS, ARTICLE_APP_NOUNS, NOMINALIZATIONS, PUBLIC_ACTORS, TENANT_WORDS, isPersonish } from './vocabulary.ts';
import type { EntityDraft, Reading } from './reading.ts';
import { findInjection } from './injection.ts';

const DETERMINERS = /^(?:(?:one or more|zero or more|any number of|a (?:list|set|number) of|lots of|a few|at least|up to \d+|a|an|the|each|every|all|our|my|their|its|any|one|some|many|several|multiple|various|different|single|exactly|other|more|two|three)\s+)+/;
const QUANTIFIED_MANY = /^(?:many|several|multiple|various|some|one or more|zero or more|any number of|a few|lots of|a lot of|a bunch of|two or more|up to \d+|numerous|all the)\b/;
const HAVE = /^(?:(?:can|may|must|should|will|also|each|usually|always|typically|optionally|additionally|then|often|normally|need to)\s+)*(?:has|have|with|contains?|includes?|holds?|stores?|carr(?:y|ies)|needs?|keeps?|records?|tracks?|displays?|comes? with|consists? of|is made (?:up )?of|are made (?:up )?of|features?|offers?|gets?|provides?|requires?|lists?)\s+(.*)$/;
const BELONG = /^(?:(?:can|may|must|should|each|always|also|only|is|are|gets?)\s+)*(?:belongs?|belonging|assigned|attached|linked|sent|addressed|tied)\s+to\s+(.*)$/;
const BY = /^(?:(?:is|are|was|were|gets?|get|can be|may be|must be|will be|always|usually)\s+)*(?:\w+ly\s+)?(written|created|authored|run|organi[sz]ed|hosted|owned|managed|posted|published|submitted|taught|led|presented|given|uploaded|made|produced|sold|offered|assigned|filed|reported|raised|opened|added|edited|curated|maintained|listed|narrated|recorded|directed|designed|cooked|prepared|delivered|sponsored|placed|signed|shot|painted|composed|performed|built|developed|coached|trained|handled|owned|photographed|illustrated|translated|read|told|sent|asked|answered|booked|made)\s+by\s+(.*)$/;
const TAGGED = /^(?:(?:is|are|can be|may be|gets?|get|each)\s+)*(tagged|labell?ed|categori[sz]ed|grouped|organi[sz]ed|sorted|filed|classified|linked|arranged|collected|bundled|put|divided|split|nested)\s+(?:with|into|under|in|to|by|as)\s+(.*)$/;
const PLACE = /^(?:(?:can|may|must|always|usually|each)\s+)*(?:takes? place|happens?|is held|are held|is located|are located|occurs?|is hosted|are hosted|is part of|are part of|appears? in|is in|are in|sits? in|lives? in|runs? at|is at|are at|is for|are for|is about|are about|refers? to|points? to|is attached to|are attached to)\s+(?:at|in|on)?\s*(.*)$/;
// "each artwork is by one artist", "each wine comes from one winery", "each visit is with one doctor".
const PREP_REL = /^(?:(?:is|are|was|were|each|always|usually|typically|only|all|always)\s+)+(?:by|with|from|of(?=\s+(?:a|an|one|the|a single|exactly one)\s))\s+(.*)$|^(?:(?:always|usually|each|all|typically)\s+)*(?:comes?|originates?|hails?|(?:is|are) sourced|(?:is|are) imported)\s+from\s+(.*)$/;
// Any other participle with "by" names who did it ("each route is driven by one driver") when an
// article or a plural follows; these participles say how things are arranged, not who made them.
const BY_ANY = /^(?:(?:is|are|was|were|gets?|get|can be|may be|must be|will be|always|usually|each)\s+)*(?:\w+ly\s+)?([a-z]+ed|driven|ridden|taken|given|shot|led|taught|sung|drawn|chosen|sold|held|built|kept|sent|spoken|told|brought|bought|caught|found|won|seen|known|shown|grown|flown|thrown|done|worn|begun|paid|fed|bred|met|run|overseen|undertaken|written|spun)\s+by\s+(.*)$/;
const NOT_AGENT = /^(?:sorted|ordered|ranked|filtered|searched|indexed|grouped|identified|priced|measured|limited|followed|replaced|accompanied|determined|calculated|defined|divided|multiplied|keyed|numbered|separated|marked|signed|secured|protected|backed|powered|covered|caused|affected|influenced|inspired|based|triggered|required|needed|preceded|named|called)$/;
const MANY_WORDS = '(?:many|several|multiple|various|numerous|one or more|any number of|lots of|a lot of|a few|two or more|a number of|plenty of)';
// "volunteers sign up for many shifts", "each story covers several destinations": a verb with a
// quantified object links the subject to many of them.
const VERB_MANY = new RegExp(`^(?:(?:can|may|will|must|also|often|usually|typically|each|all|then)\\s+)*([a-z]+)((?:\\s+(?:up|in|on|into|for|to|at|with|about|over|across|out|off|through))*)\\s+(${MANY_WORDS}\\s+.+)$`);
// "courses last several weeks" is a duration, not a link.
const TIME_UNIT = /^(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?)$/;
const NOT_VERBS = /^(?:a|an|the|and|or|of|with|has|have|is|are|was|were|be|been|its|their|his|her|our|my|no|not|any)$/;
const PARENT = /^(?:(?:a|an|one|its|their|optional|optionally)\s+)*parent(?:\s+(.+))?$/;
const ACTOR = /^(?:(?:can|may|will|must|also|only|usually|should|then)\s+)*(write|create|add|post|publish|manage|edit|upload|leave|submit|send|share|maintain|curate|run|organi[sz]e|own|teach|host|draft|author|contribute|produce|record|list|sell|offer|file|open|raise|log|track|moderate|update|compose|make|prepare|cook|design|build|plan|schedule|present|give|lead|coach|advertise|announce|propose)(?:s|es|d|ed)?\s+(.*)$/;
const SIGN_IN = /\b(?:sign(?:s|ing)?[ -]?(?:in|on|up)|log(?:s|ging)?[ -]?(?:in|on)|login|logon|authenticat\w*|accounts?\b.*\b(?:google|github|microsoft|linkedin|email))\b/;
const REVIEW = /\b(review|reviews|reviewed|approve|approves|approved|approval|moderate|moderates|moderated|moderation|signs? off|vet|vets|vetted|proofread|proofreads|checks?|checked|accepts?|accepted)\b/;
const REVIEW_GATE = /\b(before|until|prior to|first|pending|go(?:es)? live|published|publishing|visible|appear|shown|public|moderated|moderation|approval)\b/;

// Tenancy said as separation: "separate workspaces per team", "isolated per organisation", "one
// account for each customer", "data is kept apart between clients".
const EACH = '(?:per|for each|for every|for every single|by|between|across)';
const TENANT_APART = new RegExp([
  `\\b(?:separate|isolated|private|dedicated|independent|walled[- ]off)\\s+(?:[a-z]+\\s+)?(?:workspaces?|spaces?|accounts?|instances?|sites?|databases?|data|environments?|areas?|tenants?|portals?|dashboards?)\\s+${EACH}\\s+(?:each\\s+|every\\s+)?([a-z]+)`,
  `\\b(?:isolated|separated|partitioned|siloed|segregated|kept (?:separate|apart|isolated)|walled off)\\s+${EACH}\\s+(?:each\\s+|every\\s+)?([a-z]+)`,
  `\\b(?:one|a)\\s+(?:separate\\s+|private\\s+|dedicated\\s+)?(?:workspace|space|tenant|instance|site|portal)\\s+(?:per|for each|for every)\\s+([a-z]+)`,
  `\\b([a-z]+)\\s+(?:are|is)\\s+(?:kept\\s+|fully\\s+|completely\\s+|strictly\\s+)?(?:isolated|separated|siloed|partitioned|separate|walled off)\\s+from\\s+(?:one another|each other)`,
  `\\b(?:each|every)\\s+([a-z]+)(?:'s)?\\s+(?:data|content|records|information)\\s+(?:is|are|stays?)\\s+(?:kept\\s+|fully\\s+|completely\\s+|strictly\\s+)?(?:isolated|separate|private|apart|hidden from (?:the )?others)`,
].join('|'));

/** "Volunteers sign up for shifts" joins something; "sign up for an account" is signing in. */
const SIGN_UP_FOR = /\bsign(?:s|ing)?[ -]?up\s+(?:for|to)\s+(?!(?:an?\s+|the\s+)?(?:account|accounts|app|site|service|newsletter)\b)/g;

type Ctx = { r: Reading; order: number; workflowSentence: boolean; sentence: string; lastSubject?: string };

export function entityKey(phrase: string): string {
  const ws = words(phrase);
  if (!ws.length) return '';
  ws[ws.length - 1] = singular(ws[ws.length - 1]);
  return ws.join(' ');
}

export function cleanNoun(phrase: string): { noun: string; many: boolean; examples: string[] } {
  let p = phrase.toLowerCase().trim().replace(/[.;]+$/, '');
  const examples: string[] = [];
  const such = /\s*,?\s*\b(?:such as|like|e\.g\.|for example|for instance|say)\s+(.+)$/.exec(p);
  if (such) {
    for (const v of such[1].split(/\s*(?:,|\bor\b|\band\b)\s*/)) if (v.trim()) examples.push(v.trim().replace(/^["']|["']$/g, ''));
    p = p.slice(0, such.index);
  }
  p = p.replace(/\s*\([^)]*\)/g, '').replace(/\s+(?:each|too|as well|per \w+|of (?:its|their) own|at most|at a time)$/, '');
  const many = QUANTIFIED_MANY.test(p);
  p = p.replace(DETERMINERS, '').replace(/^(?:(?:their|its|his|her|own)\s+)+/, '').trim();
  // Keep the noun phrase only: stop at a relative clause or a preposition that starts a new thought.
  p = p.split(/\s+(?:who|which|that|where|when|with|from|to|for|on|in|at|before|after|until|by)\b/)[0].trim();
  const ws = words(p).slice(-3);
  return { noun: ws.join(' '), many, examples };
}

function entity(r: Reading, key: string, origin: EntityDraft['origin'], order: number): EntityDraft {
  const k = key;
  let e = r.entities.get(k);
  if (!e) {
    // Reuse an entity of the same head noun: "help articles" are the "articles".
    const head = k.split(' ').at(-1)!;
    for (const x of r.entities.values()) {
      if (x.key.split(' ').at(-1) !== head || (x.key !== head && k !== head)) continue;
      // The plain noun names the collection: "help articles" and "articles" are "articles".
      if (k === head && x.key !== head) {
        r.entities.delete(x.key);
        x.key = head;
        r.entities.set(head, x);
      }
      return upgrade(x, origin);
    }
    e = { key: k, fieldPhrases: [], defined: origin === 'defined', searchable: false, examples: [], origin, order };
    r.entities.set(k, e);
  }
  return upgrade(e, origin);
}

function upgrade(e: EntityDraft, origin: EntityDraft['origin']): EntityDraft {
  if (origin === 'defined') e.defined = true;
  if (origin === 'nominal' && e.origin === 'mentioned') e.origin = 'nominal';
  if (origin === 'defined' && e.origin === 'mentioned') e.origin = 'defined';
  return e;
}

/** Subject noun phrase at the start of a clause, and the rest of the clause after it. */
function subjectOf(clause: string): { subject?: string; pronoun?: string; rest: string; tokens: Token[] } {
  const tokens = tag(clause);
  const lower = clause.toLowerCase();
  let i = 0;
  while (i < tokens.length && (tokens[i].pos === 'DET' || /^(each|every|all|our|my|their|its|also|then|only|both)$/.test(tokens[i].text))) i++;
  if (i < tokens.length && tokens[i].pos === 'PRON' && /^(i|we|you|it|they|these|those)$/.test(tokens[i].text)) {
    return { pronoun: tokens[i].text, rest: restAfter(lower, tokens, i + 1), tokens };
  }
  const start = i;
  while (i < tokens.length && ['NOUN', 'PROPN', 'ADJ', 'NUM', 'X'].includes(tokens[i].pos) && !/^(can|may|must|should|will)$/.test(tokens[i].text)) i++;
  // A trailing adjective belongs to the predicate ("stay hidden"); the subject ends at a noun.
  while (i > start && tokens[i - 1].pos === 'ADJ') i--;
  const fits = (k: number) => k > start && k < tokens.length && (['VERB', 'AUX', 'PUNCT', 'ADV', 'PART'].includes(tokens[k].pos) || /^(with|who|which|that)$/.test(tokens[k].text));
  if (!fits(i)) {
    // The tagger read the verb as a noun ("volunteers sign up for shifts", "guests book rooms"):
    // the verb is the word that agrees with the noun before it and is followed by its object.
    const verbAt = tokens.findIndex((t, k) => k > start && k < Math.min(i + 1, tokens.length - 1) && agrees(tokens[k - 1].text, t.text) && ['ADP', 'DET', 'ADJ', 'NUM', 'PART', 'PRON'].includes(tokens[k + 1].pos));
    if (verbAt < 0) return { rest: lower, tokens };
    i = verbAt;
  }
  const subject = tokens.slice(start, i).map((t) => t.text).join(' ');
  return { subject, rest: restAfter(lower, tokens, i).replace(/^[,\s]+/, ''), tokens };
}

/** Subject-verb agreement: "volunteers sign", "a volunteer signs". */
function agrees(noun: string, verb: string): boolean {
  if (!/^[a-z]+$/.test(noun) || !/^[a-z]+$/.test(verb) || NOT_VERBS.test(verb)) return false;
  return isPlural(noun) ? !isPlural(verb) : isPlural(verb) && !/ss$/.test(verb);
}

function restAfter(lower: string, tokens: Token[], n: number): string {
  let pos = 0;
  for (let j = 0; j < n && j < tokens.length; j++) {
    const at = lower.indexOf(tokens[j].text, pos);
    if (at >= 0) pos = at + tokens[j].text.length;
  }
  return lower.slice(pos).trim();
}

const isPublicActor = (noun: string) => PUBLIC_ACTORS.has(singular(noun)) || PUBLIC_ACTORS.has(singular(noun.split(' ').at(-1) ?? ''));

export function readDescription(description: string): Reading {
  const r: Reading = {
    appWords: [],
    entities: new Map(),
    relations: [],
    acts: [],
    reviews: [],
    tenancy: { multi: false, owned: [] },
    signInSentences: [],
    searchableAll: false,
    searchableNouns: [],
    examples: new Map(),
    understood: [],
    assumptions: [],
    unparsed: [],
  };
  const ctx: Ctx = { r, order: 0, workflowSentence: false, sentence: '' };
  const all = sentences(description.replace(/\s+/g, ' ').trim());
  all.forEach((raw, si) => {
    const sentence = raw.trim().replace(/[.!]+$/, '');
    const injection = findInjection(sentence);
    if (injection) {
      r.assumptions.push(`Ignored "${sentence}": ${injection}. Access rules come from the roles the builder derives, never from instructions in the description.`);
      return;
    }
    const lower = sentence.toLowerCase();
    if (/\bmulti[- ]?tenant\b|\bmultitenant\b|\bsaas\b|\bwhite[- ]label/.test(lower)) {
      r.tenancy.multi = true;
      r.tenancy.why ??= 'the description says it is multi-tenant';
    }
    const apart = TENANT_APART.exec(lower);
    if (apart) {
      r.tenancy.multi = true;
      r.tenancy.why ??= `the data is kept apart ${apart[0].trim()}`;
      const owner = apart.slice(1).find(Boolean);
      if (owner && !/^(?:tenant|other|one|another|each|every)$/.test(owner)) r.tenancy.owner ??= entityKey(owner);
    }
    if (SIGN_IN.test(lower.replace(SIGN_UP_FOR, ''))) r.signInSentences.push(sentence);
    if (/\bsearchable\b|\bfull[- ]text\b|\bsearch(?:ed)? (?:through|across|by)\b/.test(lower)) {
      r.searchableAll = true;
      r.searchableNouns.push(...words(lower).map(singular));
    }
    ctx.workflowSentence = REVIEW.test(lower) && REVIEW_GATE.test(lower) || /\b(?:stay|stays|remain|remains|are|is|kept)\s+(?:hidden|invisible|private|unpublished)\s+until\b|\bmoderated\b|\bneeds? approval\b|\brequires? approval\b/.test(lower);
    ctx.sentence = lower;
    if (ctx.workflowSentence) readReview(ctx, lower);
    for (const clause of lower.split(/\s*;\s*/)) {
      if (si === 0 && readAppSentence(ctx, clause)) continue;
      readClause(ctx, clause);
    }
  });
  return r;
}

function readAppSentence(ctx: Ctx, clause: string): boolean {
  const lead = clause.split(/\s+(?:where|with|for|that|which|in which|to|of|and|so|whose|about|on|in|at|isolated|separated|partitioned)\b|\s*[,:]/)[0].replace(DETERMINERS, '');
  const ws = words(lead);
  const articled = /^(?:a|an|the|our|my|this)\s/.test(clause.trim());
  if (!ws.some((w) => APP_NOUNS.has(w) || (articled && ARTICLE_APP_NOUNS.has(w)))) return false;
  const kindWords = ws.filter((w) => !APP_FILLER.has(w));
  ctx.r.appKind = kindWords.join(' ') || ws.join(' ');
  ctx.r.appWords = kindWords.filter((w) => !APP_NOUNS.has(w) && !ARTICLE_APP_NOUNS.has(w));
  // The rest may still say something: "… where each company manages its own listings", "… with articles and tags".
  const tail = clause.slice(clause.indexOf(lead) + lead.length);
  // "… for a bakery with products, suppliers and orders", "an app to track books and loans".
  const withList = /^(?:\s+(?:for|of)\s+(?:(?:a|an|the|our|my)\s+)?[a-z]+(?:\s+[a-z]+)?)?\s*(?:with|that (?:has|holds|lists)|to (?:manage|track|organi[sz]e|share|list|catalog(?:ue)?|store|keep track of)|for (?:managing|tracking|organi[sz]ing|sharing|listing|cataloguing|cataloging|storing|keeping track of))\s+(.+?)(?=\s+(?:where|in which|so that)\b|:|$)/.exec(tail);
  if (withList && !/\bour\b/.test(withList[1].slice(0, 5))) {
    for (const item of splitList(withList[1])) {
      const { noun } = cleanNoun(item);
      if (TENANT_APART.test(item)) continue;
      if (noun && !/^(customers?|clients?|teams?|us|people|everyone|software|company)$/.test(noun)) entity(ctx.r, entityKey(noun), 'mentioned', ctx.order++);
    }
  }
  // "A wiki for our company: pages with a title and a body".
  const colon = /:\s*(.+)$/.exec(tail);
  if (colon) {
    readColonBody(ctx, colon[1]);
    return true;
  }
  const where = /\b(?:where|in which|so that|and)\s+(.+)$/.exec(tail);
  if (where) readClause(ctx, where[1]);
  return true;
}

/** What follows a colon that introduces the app: clauses ("pages with a title and a body"), or the
 * names of what it holds ("posts, pages and tags", "posts (title, body)"). */
function readColonBody(ctx: Ctx, body: string): void {
  const parsed = subjectOf(body);
  if (parsed.subject && parsed.rest && readPredicate(ctx, parsed.subject, normalizeRest(parsed.rest), true)) return;
  for (const item of splitList(body)) {
    const fields = /^(.+?)\s*\(([^)]*)\)\s*$/.exec(item);
    const { noun } = cleanNoun(fields ? fields[1] : item);
    if (!noun) continue;
    const sub = subjectOf(item);
    if (!fields && sub.subject && sub.rest && readPredicate(ctx, sub.subject, normalizeRest(sub.rest), true)) continue;
    const e = entity(ctx.r, entityKey(noun), fields ? 'defined' : 'mentioned', ctx.order++);
    if (fields) for (const f of splitList(fields[2].replace(/\s*\/\s*/g, ', '))) e.fieldPhrases.push(f);
  }
}

/** "Pages: a title, a body" is "pages have a title, a body". */
function normalizeRest(rest: string): string {
  return rest.replace(/^:\s*/, 'have ');
}

function readTenancy(ctx: Ctx, subject: string | undefined, rest: string, clause: string): boolean {
  const own = /^(?:(?:only|just|can|may|also|always)\s+)*(has|have|manages?|gets?|owns?|runs?|keeps?|sees?|views?|accesses|access|uses?|works? (?:on|with)|maintains?|publishes?|controls?|hosts?|stores?|administers?|handles?|creates?|edits?)\s+(?:(?:only|just|all|always|exclusively|ever)\s+)*(?:(?:its|their|his|her)\s+own\s+)(.+)$/.exec(rest);
  const tenantish = subject && TENANT_WORDS.has(singular(subject.split(' ').at(-1)!));
  // "each member sees only their own bookings" is privacy between people, not tenancy.
  if (own && /^(?:sees?|views?|access)/.test(own[1]) && !tenantish && isPersonish(singular(subject?.split(' ').at(-1) ?? ''))) return false;
  const plainHas = !own && tenantish && /^(?:each|every)\b/.test(clause) && /^(?:has|have|gets?|owns?)\s+(?!(?:a|an|one)\b)(.+)$/.exec(rest);
  if (!subject || (!own && !(plainHas && ctx.r.tenancy.multi))) return false;
  const list = own ? own[2] : (plainHas as RegExpExecArray)[1];
  ctx.r.tenancy.multi = true;
  ctx.r.tenancy.owner = entityKey(subject);
  ctx.r.tenancy.why = `each ${singular(subject)} has its own content`;
  for (const item of splitList(list)) {
    const sub = subjectOf(item);
    // Participles are often tagged as the subject's verb or not at all: split at them by word.
    const participle = /^(.+?)\s+((?:grouped|tagged|organi[sz]ed|sorted|filed|categori[sz]ed|written|created|labell?ed|belonging)\b.*)$/.exec(item);
    if (participle && !(sub.subject && sub.rest && sub.rest !== item)) {
      sub.subject = cleanNoun(participle[1]).noun;
      sub.rest = participle[2].replace(/^belonging/, 'belongs');
    }
    if (sub.subject && sub.rest && readPredicate(ctx, sub.subject, sub.rest, true)) {
      ctx.r.tenancy.owned.push(entityKey(sub.subject));
      continue;
    }
    const { noun } = cleanNoun(item);
    if (noun) ctx.r.tenancy.owned.push(entityKey(noun));
  }
  return true;
}

function readClause(ctx: Ctx, clause: string): void {
  const parsed = subjectOf(clause);
  const { pronoun, rest } = parsed;
  let subject = parsed.subject;
  // "it is written by an author": the pronoun is the last subject.
  if (pronoun && /^(it|they|these|those)$/.test(pronoun) && ctx.lastSubject) subject = ctx.lastSubject;
  else if (pronoun) return;
  if (!subject) {
    const where = /(?:^|\s)(?:where|in which|whereby)\s+(.+)$/.exec(clause);
    if (where) return readClause(ctx, where[1]);
    if (!SIGN_IN.test(clause) && !ctx.workflowSentence && words(clause).length > 2) ctx.r.unparsed.push(clause);
    return;
  }
  // "People sign in with email": how people sign in, read by the sign-in reader, never fields.
  if (/^(?:(?:can|may|must|will|should|also|only|all)\s+)*(?:sign(?:s)?[ -]?(?:in|on|up)|log(?:s)?[ -]?(?:in|on)|authenticate)\b/.test(rest.replace(SIGN_UP_FOR, 'join '))) return;
  if (readTenancy(ctx, subject, rest, clause)) return;
  // "A translation agency where each client sees only its own documents": the relative clause says it.
  const where = /^(?:,\s*)?(?:where|in which|whereby|so that)\s+(.+)$/.exec(rest);
  if (where) {
    readClause(ctx, where[1]);
    return;
  }
  // "Our handbook: sections with a title" names the app before the colon, not a collection.
  if (/^:/.test(rest) && !parsed.pronoun) {
    const after = rest.replace(/^:\s*/, '');
    const inner = subjectOf(after);
    if (inner.subject && inner.rest && inner.rest !== after && startsClause(inner.subject, inner.rest)) {
      readColonBody(ctx, after);
      return;
    }
  }
  // "cooks, who have a display name": a relative clause defines the noun before it.
  if (!readPredicate(ctx, subject, normalizeRest(rest), false)) {
    if (!SIGN_IN.test(clause) && !ctx.workflowSentence && !/\bsearchable\b/.test(clause)) ctx.r.unparsed.push(clause);
  }
}

/** Reads one predicate for a subject; returns whether it understood it. */
function readPredicate(ctx: Ctx, subjectPhrase: string, rest: string, quiet: boolean): boolean {
  const r = ctx.r;
  const subj = entityKey(subjectPhrase);
  let understood = false;
  type Mode = { kind: 'fields' } | { kind: 'relfields'; target: string } | { kind: 'rel'; many: boolean; name?: (noun: string) => string | undefined; why: string } | { kind: 'none' };
  let mode: Mode = { kind: 'none' };
  let lastMany = false;
  let fromVerb = false;
  const whole = readActOrNominal(ctx, subjectPhrase, subj, rest);
  if (whole) {
    ctx.lastSubject = r.entities.get(subj)?.defined ? subj : ctx.lastSubject;
    return true;
  }
  const items = splitList(rest.replace(/,\s*(?:who|which|that)\s+/g, ' __rel__ '));
  for (let raw of items) {
    raw = raw.replace(/^(?:and|also|then|but|it|they|each)\s+/, '').trim();
    let relClause: string | undefined;
    const rc = raw.indexOf('__rel__');
    if (rc >= 0) {
      relClause = raw.slice(rc + 7).trim();
      raw = raw.slice(0, rc).trim();
    }
    let item = raw;
    let m: RegExpExecArray | null;
    if (mode.kind === 'relfields') {
      entity(r, mode.target, 'defined', ctx.order++).fieldPhrases.push(item);
      continue;
    }
    // "routes are sorted by distance" says how a list is shown, not what it links to.
    if (/^(?:(?:is|are|can be|gets?|get|always|usually)\s+)*(?:sorted|ordered|arranged|ranked)\s+by\s+(?!(?:a|an|the|one|their|its)\s)[a-z]+(?:\s+[a-z]+)?$/.test(item) && !isPlural(words(item).at(-1) ?? '')) {
      understood = true;
      continue;
    }
    if ((m = HAVE.exec(item))) {
      mode = { kind: 'fields' };
      entity(r, subj, 'defined', ctx.order++);
      item = m[1];
    } else if ((m = BELONG.exec(item))) {
      mode = { kind: 'rel', many: false, why: 'belongs to' };
      item = m[1];
    } else if ((m = BY.exec(item))) {
      const verb = m[1];
      mode = { kind: 'rel', many: false, why: `${verb} by` };
      item = m[2];
      r.acts.push({ actor: cleanNoun(item).noun, verb: 'create', targets: [subj], sentence: ctx.sentence });
    } else if ((m = TAGGED.exec(item))) {
      const verb = m[1];
      const { noun, many } = cleanNoun(m[2]);
      const plural = words(m[2]).at(-1) !== singular(words(m[2]).at(-1) ?? '');
      mode = { kind: 'rel', many: many || (/^(tagged|label)/.test(verb) && plural), why: `${verb}` };
      item = m[2];
      void noun;
    } else if ((m = PLACE.exec(item))) {
      mode = { kind: 'rel', many: false, why: 'takes place at' };
      item = m[1];
    } else if ((m = BY_ANY.exec(item)) && !NOT_AGENT.test(m[1]) && (/^(?:a|an|one|the|its|their|exactly one|a single)\s/.test(m[2]) || isPlural(words(m[2]).at(-1) ?? ''))) {
      mode = { kind: 'rel', many: false, why: `${m[1]} by` };
      item = m[2];
      r.acts.push({ actor: cleanNoun(item).noun, verb: 'create', targets: [subj], sentence: ctx.sentence });
    } else if ((m = PREP_REL.exec(item))) {
      mode = { kind: 'rel', many: false, why: 'is with' };
      item = m[1] ?? m[2];
    } else if ((m = VERB_MANY.exec(item)) && !NOT_VERBS.test(m[1]) && !isPublicActor(subjectPhrase) && !TIME_UNIT.test(words(m[3]).at(-1) ?? '')) {
      mode = { kind: 'rel', many: true, why: `${m[1]}${m[2]}` };
      item = m[3];
      fromVerb = true;
    } else if (mode.kind === 'none') {
      // "help articles grouped into categories": a clause inside a list.
      const sub = subjectOf(item);
      if (sub.subject && sub.rest && sub.rest !== item && readPredicate(ctx, sub.subject, sub.rest, true)) {
        understood = true;
        continue;
      }
      continue;
    }
    understood = true;
    if (mode.kind === 'fields') {
      // "…, and each page can have a parent page": a clause of its own inside the list.
      if (words(item).length >= 3) {
        const sub = subjectOf(item);
        if (sub.subject && sub.rest && sub.rest !== item && startsClause(sub.subject, sub.rest) && readPredicate(ctx, sub.subject, sub.rest, true)) continue;
      }
      const parent = PARENT.exec(item);
      if (parent) {
        const target = parent[1] ? entityKey(cleanNoun(parent[1]).noun) : subj;
        r.relations.push({ from: subj, target, many: false, name: 'parent', self: target === subj || target.split(' ').at(-1) === subj.split(' ').at(-1), why: 'parent' });
        continue;
      }
      const many = QUANTIFIED_MANY.test(item) || (lastMany && !/^(?:a|an|the|one)\b/.test(item) && words(item).length <= 2);
      if (many) {
        const { noun } = cleanNoun(item);
        lastMany = true;
        if (noun) r.relations.push({ from: subj, target: entityKey(noun), many: true, name: noun.split(' ').at(-1), why: 'has many' });
        continue;
      }
      lastMany = false;
      const e = entity(r, subj, 'defined', ctx.order);
      e.fieldPhrases.push(item);
    } else if (mode.kind === 'rel') {
      const { noun, many, examples } = cleanNoun(item);
      if (!noun) continue;
      const target = entityKey(noun);
      const tail = words(noun).at(-1) ?? '';
      const isSelf = singular(tail) === subj.split(' ').at(-1);
      r.relations.push({ from: subj, target, many: mode.many || many, why: mode.why, self: isSelf && words(noun).length === 1 ? true : undefined, ...(fromVerb ? { inverse: true } : {}) });
      if (!r.entities.has(subj)) entity(r, subj, 'mentioned', ctx.order++);
      if (examples.length) r.relations[r.relations.length - 1].name = undefined;
      if (examples.length) pendingExamples(r, target, examples);
      if (relClause) {
        const rel = relClause.replace(/^(?:also\s+)?(?:has|have|with|contain|contains|include|includes)\s+/, '');
        const e = entity(r, target, 'defined', ctx.order++);
        for (const f of splitList(rel)) e.fieldPhrases.push(f);
        mode = { kind: 'relfields', target };
      }
    }
  }
  if (!understood && !quiet) return false;
  if (understood) ctx.lastSubject = subj;
  return understood;
}

const PREDICATE_START = /^(?:(?:can|may|must|should|will|also|is|are|each|always|usually)\s+)*(?:has|have|belongs?|takes?|happens?|written|created|tagged|grouped|run|held|located)\b/;
/** A clause inside a list: "…, and authors with a name" (a plural noun with its fields) or a predicate. */
const startsClause = (subject: string, rest: string) => PREDICATE_START.test(rest) || (/^with\b/.test(rest) && isPlural(subject.split(' ').at(-1) ?? ''));

/** "readers can leave comments with their name, email and message", "candidates apply to jobs". */
function readActOrNominal(ctx: Ctx, subjectPhrase: string, subj: string, rest: string): boolean {
  const r = ctx.r;
  let m: RegExpExecArray | null;
  // "members register for events" is a registration; "members attend many events" links members to events.
  if (!ctx.workflowSentence && (m = /^(?:(?:can|may|will|must|also)\s+)?([a-z]+?)(?:s|es)?\s+(?:(?:to|for|on|in|at)\s+)?(.+)$/.exec(rest)) && NOMINALIZATIONS[m[1]] && (!QUANTIFIED_MANY.test(m[2]) || isPublicActor(subjectPhrase)) && (!r.entities.get(subj)?.defined || isPersonish(singular(subj.split(' ').at(-1) ?? '')))) {
    readNominal(ctx, subjectPhrase, m[1], m[2]);
    return true;
  }
  if (!(m = ACTOR.exec(rest))) return false;
  // "write articles and a lead approves them": only the first part belongs to this subject.
  const targetsText = m[2].split(/\s+and\s+(?=(?:a|an|the|i|we|editors?|[a-z]+s)\s+(?:[a-z]+\s+)?(?:approves?|reviews?|moderates?|checks?|publish(?:es)?)\b)/)[0];
  const withAt = /\s+(?:with|containing|including|that (?:have|has))\s+(.+)$/.exec(targetsText);
  const targetPart = withAt ? targetsText.slice(0, withAt.index) : targetsText;
  const targets: string[] = [];
  for (const t of splitList(targetPart)) {
    const { noun } = cleanNoun(t);
    if (noun && !/^(them|it|they|content|things|stuff|everything|anything)$/.test(noun)) targets.push(entityKey(noun));
  }
  if (withAt && targets.length === 1) {
    const e = entity(r, targets[0], 'defined', ctx.order++);
    for (const f of splitList(withAt[1])) e.fieldPhrases.push(f);
  }
  r.acts.push({ actor: cleanNoun(subjectPhrase).noun || subjectPhrase, verb: m[1], targets, sentence: ctx.sentence });
  // "managers run several stores": the people are linked to what they act on, unless anyone may.
  if (QUANTIFIED_MANY.test(targetPart.trim()) && !isPublicActor(subjectPhrase)) {
    // Owning and running say who the things belong to; writing and posting only who made them.
    const owns = /^(?:own|manage|run|maintain|curate|host|lead|coach|teach|organi[sz]e)$/.test(m[1]);
    for (const t of targets) r.relations.push({ from: subj, target: t, many: true, why: `${m[1]}s`, inverse: true, ...(owns ? {} : { ifSourceDefined: true }) });
  }
  return true;
}

function pendingExamples(r: Reading, key: string, examples: string[]) {
  r.examples.set(key, [...(r.examples.get(key) ?? []), ...examples]);
}

function readNominal(ctx: Ctx, actorPhrase: string, verb: string, objectText: string): void {
  const r = ctx.r;
  const nominal = NOMINALIZATIONS[verb];
  const e = entity(r, nominal, 'nominal', ctx.order++);
  const range = /\b(?:from|between)\s+(-?\d+)\s+(?:to|and)\s+(-?\d+)\b|\bout of\s+(\d+)\b/.exec(objectText);
  const obj = cleanNoun(objectText.replace(/\b(?:from|between)\s+-?\d+\s+(?:to|and)\s+-?\d+.*$|\bout of\s+\d+.*$/, ''));
  if (range && e.fieldPhrases.length === 0) e.fieldPhrases.push(range[3] ? `a score out of ${range[3]}` : `a score from ${range[1]} to ${range[2]}`);
  if (obj.noun && !/^(them|it|us)$/.test(obj.noun)) r.relations.push({ from: nominal, target: entityKey(obj.noun), many: false, why: `${verb} to`, required: true });
  const actor = cleanNoun(actorPhrase).noun;
  if (actor && !isPublicActor(actor)) {
    entity(r, entityKey(actor), 'mentioned', ctx.order++);
    r.relations.push({ from: nominal, target: entityKey(actor), many: false, why: `made by` });
  }
  r.acts.push({ actor: actor || actorPhrase, verb: 'create', targets: [nominal], sentence: ctx.sentence });
}

function readReview(ctx: Ctx, whole: string): void {
  // "A magazine with articles and tags; editors review before publishing": only the clause that reviews names what is reviewed.
  const sentence = whole.split(/\s*;\s*/).find((c) => REVIEW.test(c)) ?? whole;
  const tokens = tag(sentence);
  const idx = tokens.findIndex((t) => REVIEW.test(t.text));
  let approver = 'editor';
  // "comments are moderated": passive voice names the reviewed thing, not the reviewer.
  const passive = idx > 0 && /ed$/.test(tokens[idx].text) && tokens.slice(Math.max(0, idx - 3), idx).some((t) => /^(is|are|be|been|get|gets|was|were)$/.test(t.text));
  if (idx > 0 && !passive) {
    let j = idx - 1;
    while (j >= 0 && (tokens[j].pos === 'AUX' || tokens[j].pos === 'ADV' || /^(can|must|should|will|then|first)$/.test(tokens[j].text))) j--;
    if (j >= 0 && ['NOUN', 'PROPN'].includes(tokens[j].pos)) approver = singular(tokens[j].text);
    else if (j >= 0 && /^(i|we|me|us)$/.test(tokens[j].text)) approver = 'owner';
  } else if (/\b(?:i|we)\s+(?:approve|review|moderate)/.test(sentence)) approver = 'owner';
  const creators: string[] = [];
  const w = /\b([a-z]+(?:\s+[a-z]+)?)\s+(?:write|writes|create|creates|draft|drafts|submit|submits|post|posts|add|adds)\b/.exec(sentence);
  if (w) creators.push(cleanNoun(w[1]).noun);
  const targets = tokens.filter((t) => t.pos === 'NOUN' || t.pos === 'PROPN').map((t) => singular(t.text));
  ctx.r.reviews.push({ targets, approver, creators, style: /approv|hidden|moderat|until/.test(sentence) && !/\breview/.test(sentence) ? 'approve' : 'review', sentence, fallbackSubject: ctx.lastSubject });
}

export { isPublicActor };
