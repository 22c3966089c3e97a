// Turns a Reading into a spec: resolves noun phrases to collections, types the fields, adds the
// review workflows, derives roles, and decorates collections (title, slug, search, sort).
import type { Action, Collection, Field, Role, Spec } from '../../../spec/schema.ts';
import { camel, collectionName, label, plural, singular, words } from './inflect.ts';
import { inferField } from './infer-field.ts';
import { cleanNoun, entityKey, isPublicActor } from './read-description.ts';
import type { EntityDraft, Reading } from './reading.ts';
import { APP_NOUNS, ATTACHED_KINDS, CONTENT_NOUNS, PEOPLE_COLLECTIONS, TAXONOMY_NOUNS, isPersonish } from './vocabulary.ts';

const PRIVATE_KINDS = new Set(['application', 'order', 'booking', 'registration', 'enrollment', 'reservation', 'subscription', 'purchase', 'rental', 'donation', 'request', 'submission', 'message', 'ticket', 'payment', 'invoice', 'loan', 'pledge', 'attendance', 'signup', 'report', 'candidate', 'customer', 'patient', 'applicant', 'lead', 'contact']);
const FORBIDDEN_ROLE = /^(?:admin|admins|administrator|administrators|root|superuser|sudo)$/;

type Built = { spec: Spec; understood: string[]; assumptions: string[]; examples: Map<string, string[]> };

const head = (key: string) => key.split(' ').at(-1) ?? key;

export function buildSpec(r: Reading, appName: string | undefined): Built {
  const understood: string[] = [];
  const assumptions: string[] = [...r.assumptions];
  const entities = [...r.entities.values()].sort((a, b) => a.order - b.order);
  const find = (key: string): EntityDraft | undefined => {
    if (r.entities.has(key)) return r.entities.get(key);
    const h = head(key);
    return entities.find((e) => e.key === h) ?? entities.find((e) => head(e.key) === h);
  };
  const create = (key: string, origin: EntityDraft['origin']): EntityDraft => {
    const k = head(key);
    const e: EntityDraft = { key: k, fieldPhrases: [], defined: false, searchable: false, examples: [], origin, order: 1e5 + entities.length };
    r.entities.set(k, e);
    entities.push(e);
    return e;
  };
  const primary = (): EntityDraft | undefined => {
    for (const w of r.appWords) {
      const e = find(singular(w));
      if (e) return e;
    }
    return entities.find((e) => e.defined && !isPersonish(head(e.key)) && !TAXONOMY_NOUNS.has(head(e.key))) ?? entities.find((e) => e.defined) ?? entities[0];
  };
  const peopleCollection = () => entities.find((e) => PEOPLE_COLLECTIONS.has(e.key) || PEOPLE_COLLECTIONS.has(head(e.key)));
  const resolve = (key: string, why: string): EntityDraft => {
    const e = find(key);
    if (e) return e;
    if (isPersonish(head(key))) {
      const people = peopleCollection();
      if (people) {
        assumptions.push(`"${plural(head(key))}" are taken to be ${collectionName(people.key)} (${why}).`);
        return people;
      }
    }
    assumptions.push(`"${collectionName(key.split(' ').length > 1 ? head(key) : key)}" is only mentioned (${why}), so it gets a collection with basic fields.`);
    return create(key, 'mentioned');
  };

  // What people make is content even when the text gives it no fields: "readers write reviews".
  for (const act of r.acts) {
    if (!isPersonish(singular(head(act.actor))) && !isPublicActor(act.actor)) continue;
    for (const t of act.targets) {
      if (find(t) || words(t).length > 2 || APP_NOUNS.has(head(t)) || isPersonish(head(t)) || /^(?:content|thing|stuff|everything|anything|site|data|work|time)$/.test(head(t))) continue;
      create(t, 'mentioned');
      assumptions.push(`"${collectionName(t)}" are only mentioned (${act.actor} ${act.verb} them), so they get a collection with basic fields.`);
    }
  }

  // Relations first: they may create the collections they point at.
  type Rel = { from: EntityDraft; to: EntityDraft; many: boolean; name: string; required?: boolean; why: string };
  const rels: Rel[] = [];
  const addRel = (rel: Rel) => {
    if (rels.some((x) => x.from === rel.from && x.name === rel.name)) return;
    if (rels.some((x) => x.from === rel.from && x.to === rel.to && x.many === rel.many && rel.name !== 'parent' && x.name !== 'parent')) return;
    rels.push(rel);
  };
  for (const q of r.relations) {
    // "Authors write many articles" adds nothing when each article already names its author.
    if (q.inverse && r.relations.some((x) => !x.many && !x.inverse && head(x.from) === head(q.target) && head(x.target) === head(q.from))) continue;
    if (q.ifSourceDefined && !find(q.from)?.defined) continue;
    const from = find(q.from) ?? create(q.from, 'mentioned');
    const known = !!find(q.target);
    const to = q.self ? from : resolve(q.target, `${q.why} ${q.target}`);
    if (!known && / by$/.test(q.why)) to.agent = true;
    const target = collectionName(to.key);
    const name = q.name === 'parent' ? 'parent' : q.name && to.key !== entityKey(q.name) && head(to.key) !== singular(q.name) ? camel(q.many ? plural(singular(q.name)) : singular(q.name)) : camel(q.many ? target : singular(head(to.key)));
    addRel({ from, to, many: q.many, name, required: q.required, why: q.why });
    const ex = r.examples.get(q.target);
    if (ex && to !== from) for (const x of ex) if (!to.examples.includes(x)) to.examples.push(x);
  }
  // Tenancy: "each company manages its own listings".
  const owner = r.tenancy.owner ? find(r.tenancy.owner) : undefined;
  if (r.tenancy.multi) {
    // "each clinic has its own therapists": people are a collection of their own, never another name for the content.
    // So is each of several things listed ("its own stylists and appointments"); one unknown name alone
    // ("its own listings") is taken to be the main content below.
    for (const k of r.tenancy.owned) if (!find(k) && (isPersonish(head(k)) || r.tenancy.owned.length > 1)) resolve(k, 'owned by each tenant');
    understood.push(`Multi-tenant: ${r.tenancy.why ?? 'each tenant has its own content'}; every item belongs to one tenant.`);
    if (owner && owner.defined) {
      for (const k of r.tenancy.owned) {
        let e = find(k);
        if (!e) {
          e = primary();
          if (e && e !== owner) assumptions.push(`"${plural(head(k))}" are taken to be the ${collectionName(e.key)}.`);
        }
        if (e && e !== owner) addRel({ from: e, to: owner, many: false, name: camel(singular(head(owner.key))), why: 'owned by' });
      }
      assumptions.push(`${label(collectionName(owner.key))} are a collection and each tenant is one of them; the tenant keeps their data apart.`);
    }
  } else understood.push('Single-tenant: one app, one set of content.');

  // Things that are always about something: comments on the main content.
  const main = primary();
  for (const e of [...entities]) {
    if (!ATTACHED_KINDS.has(head(e.key)) || !main || main === e) continue;
    if (rels.some((x) => x.from === e && !isPersonish(head(x.to.key)))) continue;
    addRel({ from: e, to: main, many: false, name: camel(singular(head(main.key))), required: true, why: 'about' });
    assumptions.push(`${label(collectionName(e.key))} belong to ${collectionName(main.key)}: the description does not say what they are about.`);
  }

  // Fields.
  const collections: Record<string, Collection> = {};
  const names = new Map<EntityDraft, string>();
  for (const e of entities) names.set(e, collectionName(e.key));
  for (const e of entities) {
    const fields: Record<string, Field> = {};
    for (const phrase of e.fieldPhrases) {
      const inferred = inferField(phrase);
      const listOf = /^(?:an?\s+)?(?:list|set|collection|series) of\s+(.+)$/.exec(phrase.trim());
      const asNoun = cleanNoun(listOf ? listOf[1] : phrase).noun;
      const other = asNoun ? find(entityKey(asNoun)) : undefined;
      if (listOf && other && other !== e && other.defined) {
        addRel({ from: e, to: other, many: true, name: camel(collectionName(other.key)), why: 'list of' });
        continue;
      }
      if (other && other !== e && inferred && ['string'].includes(inferred.field.type) && words(asNoun).length <= 2) {
        addRel({ from: e, to: other, many: false, name: camel(singular(head(other.key))), why: 'has' });
        continue;
      }
      if (!inferred) {
        assumptions.push(`Could not read "${phrase}" as a field of ${names.get(e)}; it was left out.`);
        continue;
      }
      if (inferred.note) assumptions.push(`${names.get(e)}.${inferred.name}: ${inferred.note}.`);
      if (!(inferred.name in fields)) fields[inferred.name] = inferred.field;
    }
    if (Object.keys(fields).length === 0) {
      for (const [n, f] of Object.entries(defaultFields(e))) fields[n] = f;
      if (e.origin !== 'defined') assumptions.push(`${names.get(e)} has no fields in the description; it gets ${Object.keys(fields).join(', ')}.`);
    }
    collections[names.get(e)!] = { label: label(names.get(e)!), fields };
  }
  for (const rel of rels) {
    const fields = collections[names.get(rel.from)!].fields;
    const f: Field = { type: 'relation', to: names.get(rel.to)! };
    if (rel.many) f.many = true;
    if (rel.required && !rel.many) f.required = true;
    if (fields[rel.name] && fields[rel.name].type !== 'relation') assumptions.push(`${names.get(rel.from)}.${rel.name} is a link to ${names.get(rel.to)} rather than text.`);
    if (fields[rel.name]?.type === 'relation') continue;
    fields[rel.name] = f;
  }

  // Review workflows.
  const reviewed = new Map<string, { approver: string; creators: string[]; style: 'review' | 'approve' }>();
  for (const step of r.reviews) {
    const roleWords = new Set([step.approver, ...step.creators.map((c) => singular(head(c)))]);
    let targets = step.targets.filter((t) => !roleWords.has(t)).map((t) => find(t)).filter((e): e is EntityDraft => !!e && !isPersonish(head(e.key)));
    if (!targets.length) {
      const fb = (step.fallbackSubject && find(step.fallbackSubject)) || main;
      if (fb) {
        targets = [fb];
        assumptions.push(`The review step ("${step.sentence}") names no collection, so it applies to ${names.get(fb)}.`);
      }
    }
    for (const t of new Set(targets)) reviewed.set(names.get(t)!, { approver: step.approver, creators: step.creators, style: step.style });
  }

  // Roles.
  const roles: Record<string, Role> = {};
  const grant = (role: string, collection: string, actions: Action[]) => {
    const r0 = (roles[role] ??= { can: {} });
    const cur = new Set(r0.can![collection] ?? []);
    for (const a of actions) cur.add(a);
    r0.can![collection] = (['read', 'create', 'update', 'delete'] as Action[]).filter((a) => cur.has(a));
  };
  const roleName = (noun: string): string => {
    const n = singular(head(noun));
    if (/^(i|we|me|us|owner|admin|admins|administrator|administrators|root|superuser|site owner|lead editor)$/.test(n)) return 'editor';
    return camel(n) || 'editor';
  };
  const publicReadable = (name: string) => {
    const c = collections[name];
    const kind = singular(name);
    return !Object.values(c.fields).some((f) => f.type === 'email') && !PRIVATE_KINDS.has(kind);
  };
  const all = Object.keys(collections);
  roles.public = { description: 'Anyone, signed in or not.', can: {} };
  for (const c of all) if (publicReadable(c)) grant('public', c, ['read']);
  const hidden = all.filter((c) => !publicReadable(c));
  if (hidden.length) assumptions.push(`The public cannot read ${hidden.join(', ')}: they hold personal data or private submissions.`);
  roles.editor = { description: 'Manages all content.', can: {} };
  for (const c of all) grant('editor', c, ['read', 'create', 'update', 'delete']);
  const mentionsEditor = r.acts.some((a) => roleName(a.actor) === 'editor') || [...reviewed.values()].some((x) => roleName(x.approver) === 'editor');
  if (!mentionsEditor) assumptions.push('An "editor" role manages all content; give it to the people who run the app.');
  for (const act of r.acts) {
    const targets = act.targets.map((t) => find(t)).filter((e): e is EntityDraft => !!e).map((e) => names.get(e)!);
    if (!targets.length || !act.actor) continue;
    if (isPublicActor(act.actor)) {
      for (const t of targets) {
        if (reviewed.has(t)) {
          grant('public', t, ['create']);
          understood.push(`Anyone can add ${t}; they stay hidden until approved.`);
        } else {
          roles.member ??= { description: 'A signed-in visitor.', can: {} };
          for (const c of all) if (publicReadable(c)) grant('member', c, ['read']);
          grant('member', t, ['create']);
          assumptions.push(`"${act.actor}" adding ${t} must sign in (role "member"): open, anonymous writes invite spam.`);
        }
      }
      continue;
    }
    if (!isPersonish(singular(head(act.actor))) && !/(er|or|ist|ant|ent|ee)$/.test(singular(head(act.actor)))) continue;
    if (find(entityKey(act.actor)) && !isPersonish(singular(head(act.actor)))) continue;
    const rn = roleName(act.actor);
    if (FORBIDDEN_ROLE.test(rn)) continue;
    roles[rn] ??= { description: `${label(plural(rn))} from the description.`, can: {} };
    for (const c of all) if (publicReadable(c)) grant(rn, c, ['read']);
    for (const t of targets) grant(rn, t, PRIVATE_KINDS.has(singular(t)) || ATTACHED_KINDS.has(singular(t)) ? ['create'] : ['read', 'create', 'update']);
  }
  for (const [cname, step] of reviewed) {
    const approver = roleName(step.approver);
    roles[approver] ??= { description: `Reviews ${cname} before they are published.`, can: {} };
    grant(approver, cname, ['read', 'update']);
    for (const c of step.creators) {
      const rn = roleName(c);
      if (isPublicActor(c)) continue;
      roles[rn] ??= { description: `Writes ${cname}.`, can: {} };
      grant(rn, cname, ['read', 'create', 'update']);
    }
  }

  // Workflow fields and transitions.
  for (const [cname, step] of reviewed) {
    const col = collections[cname];
    const approver = roleName(step.approver);
    const writers = Object.entries(roles).filter(([n, role]) => n !== 'public' && n !== approver && n !== 'editor' && role.can?.[cname]?.includes('update')).map(([n]) => n);
    const reviewers = [...new Set([approver, 'editor'])];
    const fieldName = col.fields.status && (col.fields.status.type !== 'enum' || col.fields.status.multiple) ? 'publicationStatus' : 'status';
    const existing = col.fields[fieldName];
    let states: string[];
    let transitions: NonNullable<Collection['workflow']>['transitions'];
    let publish: string;
    if (step.style === 'approve') {
      states = ['pending', 'approved', 'rejected'];
      publish = 'approved';
      transitions = [
        { from: ['pending', 'rejected'], to: 'approved', roles: reviewers },
        { from: ['pending', 'approved'], to: 'rejected', roles: reviewers },
        { from: ['approved', 'rejected'], to: 'pending', roles: reviewers },
      ];
    } else {
      states = ['draft', 'in_review', 'published'];
      publish = 'published';
      const authors = [...new Set([...writers, ...reviewers])];
      transitions = [
        { from: 'draft', to: 'in_review', roles: authors },
        { from: 'in_review', to: 'draft', roles: authors },
        { from: 'in_review', to: 'published', roles: reviewers },
        { from: 'published', to: 'draft', roles: reviewers },
      ];
    }
    if (existing && existing.type === 'enum' && !existing.multiple) {
      // A status the text listed stays; the review states are added to it.
      for (const s of states) if (!existing.values.includes(s)) existing.values.push(s);
      existing.required = true;
      existing.default = states[0];
    } else col.fields[fieldName] = { type: 'enum', values: states, default: states[0], required: true, index: true };
    col.workflow = { field: fieldName, publish, transitions };
    understood.push(`${cname} have a review step with the states ${states.join(', ')}; ${approver === 'editor' ? 'editors' : plural(approver)} publish, readers see only ${publish} ${cname}.`);
  }

  // Decoration: title, slug, search, sort.
  for (const [cname, col] of Object.entries(collections)) {
    const f = col.fields;
    const title = ['title', 'name', 'displayName', 'headline', 'label', 'subject', 'question', 'fullName'].find((n) => f[n] && ['string', 'text'].includes(f[n].type)) ?? Object.keys(f).find((n) => f[n].type === 'string');
    if (title) {
      col.titleField = title;
      f[title] = { ...f[title], required: true } as Field;
      if (f[title].type === 'string' || f[title].type === 'text') (f[title] as { searchable?: boolean }).searchable = true;
    }
    for (const [n, field] of Object.entries(f)) {
      if (field.type === 'slug') {
        if (title && field.from === undefined) field.from = title;
        field.unique = true;
        field.required = true;
      }
      if ((field.type === 'richtext' || field.type === 'text') && /^(body|content|description|summary|text|excerpt|abstract|bio|notes|showNotes|instructions|message)$/.test(n)) field.searchable = true;
      if (r.searchableAll && ['string', 'text', 'richtext'].includes(field.type) && searchableMentioned(r, cname)) (field as { searchable?: boolean }).searchable = true;
      if (field.type === 'relation' && !field.many) field.index = true;
    }
    if (TAXONOMY_NOUNS.has(singular(cname)) && title && !Object.values(f).some((x) => x.type === 'slug') && f[title].type === 'string') {
      f.slug = { type: 'slug', from: title, unique: true, required: true };
    }
    const dateField = Object.keys(f).find((n) => /publish|release|posted|start|date|on$|At$/i.test(n) && (f[n].type === 'date' || f[n].type === 'datetime'));
    const orderField = Object.keys(f).find((n) => /^(order|position|sortOrder|rank|episodeNumber|number|sequence)$/.test(n) && (f[n].type === 'integer' || f[n].type === 'number'));
    if (orderField) col.defaultSort = orderField;
    else if (dateField) col.defaultSort = /start/i.test(dateField) ? dateField : `-${dateField}`;
    else if (title && (TAXONOMY_NOUNS.has(singular(cname)) || isPersonish(singular(cname)))) col.defaultSort = title;
    else col.defaultSort = '-createdAt';
    understood.push(describeCollection(cname, col));
  }
  if (r.searchableAll) understood.push('Text fields are marked searchable, as asked.');
  for (const [n, role] of Object.entries(roles)) {
    if (n === 'public') continue;
    understood.push(`Role "${n}": ${Object.entries(role.can ?? {}).map(([c, a]) => `${a.join('/')} ${c}`).join('; ')}.`);
  }
  for (const u of r.unparsed) assumptions.push(`Not understood, so left out: "${u}".`);

  const name = appName ?? (camel(r.appKind ?? 'app') || 'app');
  const spec: Spec = {
    kiln: 1,
    name,
    title: r.appKind ? label(r.appKind) : label(name),
    tenancy: r.tenancy.multi ? 'multi' : 'single',
    collections,
    roles,
  };
  const examples = new Map<string, string[]>();
  for (const e of entities) if (e.examples.length) examples.set(names.get(e)!, e.examples);
  return { spec, understood, assumptions, examples };
}

function searchableMentioned(r: Reading, cname: string): boolean {
  const named = [...r.entities.values()].filter((e) => r.searchableNouns.includes(head(e.key)));
  return named.length === 0 || named.some((e) => collectionName(e.key) === cname);
}

function defaultFields(e: EntityDraft): Record<string, Field> {
  const h = head(e.key);
  if (h === 'rating') return { score: { type: 'integer', min: 1, max: 5, required: true } };
  if (h === 'review') return { rating: { type: 'integer', min: 1, max: 5 }, body: { type: 'text', max: 10000 } };
  if (/^(photo|image|picture|video|file|document|attachment|clip|scan)$/.test(h)) return { caption: { type: 'string', max: 300 }, file: { type: 'media', ...(/photo|image|picture|scan/.test(h) ? { accept: ['image/*'] } : {}) } };
  if (ATTACHED_KINDS.has(h)) return { body: { type: 'text', max: 10000 } };
  if (e.agent && !isPersonish(h) && !PEOPLE_COLLECTIONS.has(h)) return { name: { type: 'string', max: 200 } };
  if (isPersonish(h) || PEOPLE_COLLECTIONS.has(h)) return { name: { type: 'string', max: 120 }, email: { type: 'email' } };
  if (TAXONOMY_NOUNS.has(h)) return { name: { type: 'string', max: 80 } };
  if (CONTENT_NOUNS.has(h)) return { title: { type: 'string', max: 200 }, body: { type: 'richtext' } };
  if (e.origin === 'nominal') return { message: { type: 'text', max: 10000 } };
  return { name: { type: 'string', max: 200 } };
}

function describeCollection(name: string, col: Collection): string {
  const parts = Object.entries(col.fields).map(([n, f]) => {
    if (f.type === 'relation') return `${n} → ${f.many ? 'many ' : ''}${f.to}`;
    if (f.type === 'enum') return `${n} (${f.values.join('/')})`;
    return `${n} (${f.type})`;
  });
  return `${name}: ${parts.join(', ')}.`;
}
