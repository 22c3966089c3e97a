// One noun phrase → one typed field: "a publish date" → publishDate (date), "a rating from 1 to 5"
// → rating (integer 1..5), "a status (draft, review, published)" → status (enum). Used by the
// planner for every listed attribute and by the spec editor for "add a featured flag to articles".
import type { Field } from '../../../spec/schema.ts';
import { SYSTEM_FIELDS } from '../../../spec/check.ts';
import { camel, singular, words } from './inflect.ts';

export type InferredField = { name: string; field: Field; note?: string };

const LEADING = /^(?:(?:a|an|the|its|their|his|her|our|your|my|one|some|each|every|optional(?:ly)?|required|unique|mandatory|own|also|plus|and|or|with|single)\s+)+/;
const SIZE_WORDS = new Set(['short', 'long', 'brief', 'full', 'main', 'small', 'big', 'detailed', 'optional', 'simple', 'free-form', 'freeform', 'plain']);
const MONEY = new Set(['price', 'cost', 'fee', 'salary', 'amount', 'total', 'budget', 'revenue', 'wage', 'rent', 'pay', 'payment', 'balance', 'tax', 'deposit', 'fare', 'tip', 'donation', 'income', 'subtotal', 'dues', 'prices', 'fees', 'costs', 'rate']);
const INTEGER = new Set(['count', 'quantity', 'qty', 'capacity', 'stock', 'age', 'year', 'servings', 'rank', 'ranking', 'position', 'order', 'rating', 'score', 'votes', 'views', 'likes', 'duration', 'pages', 'seats', 'bedrooms', 'bathrooms', 'rooms', 'floors', 'beds', 'attendees', 'minutes', 'seconds', 'hours', 'days', 'weeks', 'level', 'points', 'downloads', 'followers', 'number', 'copies', 'runtime', 'episodes', 'lessons', 'sort', 'stars', 'credits', 'spots', 'places']);
const NUMBER = new Set(['weight', 'height', 'width', 'depth', 'area', 'distance', 'latitude', 'longitude', 'lat', 'lng', 'percentage', 'percent', 'ratio', 'temperature', 'size', 'volume', 'mileage', 'footage', 'sqft', 'acreage']);
// "phone number" is text: these numbers are identifiers, not quantities.
const ID_NUMBER = new Set(['phone', 'mobile', 'telephone', 'serial', 'reference', 'account', 'tracking', 'id', 'license', 'licence', 'vat', 'invoice', 'registration', 'passport', 'isbn', 'policy', 'confirmation', 'booking', 'part', 'model', 'ticket', 'contact', 'fax', 'postal', 'zip', 'house', 'street', 'flight', 'plate', 'vin', 'badge', 'membership', 'member', 'customer', 'employee', 'student', 'case', 'batch', 'lot', 'room', 'seat', 'gate', 'unit', 'apartment', 'suite', 'locker', 'parcel', 'permit', 'patient', 'vehicle', 'card', 'iban', 'routing']);
// Numbers that give an order: "order number" is the field "order".
const ORDERING = new Set(['order', 'sort', 'position', 'sequence', 'display']);
const MEDIA = new Set(['image', 'images', 'photo', 'photos', 'picture', 'pictures', 'avatar', 'cover', 'logo', 'icon', 'thumbnail', 'banner', 'art', 'artwork', 'headshot', 'screenshot', 'video', 'audio', 'file', 'attachment', 'document', 'pdf', 'resume', 'cv', 'recording', 'poster', 'illustration', 'signature', 'scan', 'upload', 'clip', 'trailer', 'portrait', 'flyer', 'brochure', 'floorplan', 'mp3', 'podcast', 'slides', 'deck', 'handout', 'certificate', 'receipt']);
// "resume file" is the resume; "audio file" stays audioFile because "audio" alone is an adjective.
const DOCUMENT_NOUNS = new Set(['resume', 'cv', 'pdf', 'document', 'invoice', 'contract', 'report', 'transcript', 'receipt', 'certificate', 'image', 'photo', 'video', 'attachment', 'cover']);
const IMAGE_WORDS = new Set(['image', 'images', 'photo', 'photos', 'picture', 'pictures', 'avatar', 'cover', 'logo', 'icon', 'thumbnail', 'banner', 'art', 'artwork', 'headshot', 'screenshot', 'poster', 'illustration', 'portrait', 'flyer', 'floorplan']);
const RICH = new Set(['body', 'content', 'article', 'markdown', 'html', 'post', 'page', 'lesson', 'chapter']);
const LONG = new Set(['description', 'bio', 'biography', 'summary', 'notes', 'note', 'message', 'comment', 'abstract', 'instructions', 'steps', 'directions', 'letter', 'story', 'excerpt', 'transcript', 'details', 'answer', 'reply', 'feedback', 'about', 'overview', 'synopsis', 'lyrics', 'agenda', 'requirements', 'responsibilities', 'benefits', 'ingredients', 'text', 'explanation', 'review', 'question', 'remarks', 'comments', 'introduction', 'intro', 'outline', 'syllabus', 'amenities', 'method', 'preparation', 'recipe', 'caption', 'testimonial', 'quote', 'statement', 'resolution', 'solution', 'problem', 'issue', 'blurb', 'teaser', 'menu', 'history', 'terms', 'policy', 'conditions', 'qualifications', 'hypothesis', 'conclusion', 'conclusions', 'findings', 'observations', 'symptoms', 'diagnosis', 'treatment', 'results', 'minutes', 'reflection', 'rationale', 'justification', 'motivation', 'scope']);
const BOOLEAN = new Set(['featured', 'pinned', 'active', 'enabled', 'verified', 'visible', 'hidden', 'archived', 'available', 'sticky', 'premium', 'private', 'sold', 'vegetarian', 'vegan', 'spicy', 'recommended', 'urgent', 'remote', 'free', 'closed', 'open', 'paid', 'completed', 'done', 'resolved', 'approved', 'confirmed', 'cancelled', 'canceled', 'public', 'promoted', 'unlisted', 'furnished', 'online']);
const UNIT = /\s*\b(?:in|as)\s+(?:number of\s+)?(minutes|seconds|hours|days|weeks|months|years|pages|words|kilometers|kilometres|km|miles|meters|metres|m2|grams|kilograms|kg|pounds|lbs|square (?:meters|metres|feet)|sq ?ft|cents|calories|kcal|points|stars|percent|millilit(?:re|er)s|ml|lit(?:re|er)s|centimet(?:re|er)s|cm|millimet(?:re|er)s|mm|inches|feet|ft|ounces|oz|tonnes|tons|degrees(?: celsius| fahrenheit)?|celsius|fahrenheit|bytes|kb|mb|gb|watts|kwh|volts|milligrams|mg|beats per minute|bpm)\b/;
const CURRENCY = /\s*\b(?:in|as)\s+(euros?|dollars?|usd|eur|gbp|pounds sterling|yen|francs?|\$|€|£)\b/;
const RANGE = /\s*\b(?:from|between)\s+(-?\d+(?:\.\d+)?)\s+(?:to|and|-)\s+(-?\d+(?:\.\d+)?)(?:\s+stars?|\s+points?)?\b/;
const OUT_OF = /\s*\bout of\s+(\d+)(?:\s+stars?|\s+points?)?\b/;
// Enum values an attribute has when the text names none; the caller records the guess.
const DEFAULT_VALUES: Record<string, string[]> = {
  priority: ['low', 'normal', 'high', 'urgent'],
  difficulty: ['easy', 'medium', 'hard'],
  level: ['beginner', 'intermediate', 'advanced'],
  severity: ['minor', 'major', 'critical'],
  status: ['active', 'inactive', 'archived'],
};

function splitValues(list: string): string[] {
  return list
    .split(/\s*(?:,|;|\/|\bor\b|\band\b|\|)\s*/)
    .map((v) => v.trim().replace(/^(?:either|or|and)\s+/, '').replace(/["'“”‘’.]/g, '').trim())
    .filter((v) => v && v.length <= 100 && !/^(?:etc|so on|others? similar)$/.test(v));
}

/** An enum value as stored: lower case, inner spaces as "_" ("in review" → "in_review"); hyphens kept. */
export function enumValue(v: string): string {
  return v.trim().toLowerCase().replace(/\s+/g, '_');
}

const unique = (vs: string[]) => [...new Set(vs)];
const isQuantity = (w: string) => w !== 'number' && (INTEGER.has(w) || NUMBER.has(w) || MONEY.has(w));

function nameFrom(ws: string[]): string {
  const n = camel(ws);
  return n;
}

// Words that only carry the grammar of a yes/no question: "whether they hold a driving licence" is
// the boolean drivingLicence.
const WHETHER_SUBJECT = new Set(['it', 'they', 'he', 'she', 'this', 'that', 'we', 'you', 'there', 'i', 'one', 'someone', 'anyone']);
const WHETHER_DETERMINER = new Set(['the', 'this', 'that', 'each', 'a', 'an', 'every', 'its', 'their', 'his', 'her', 'our', 'your', 'my']);
const AUXILIARY = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'has', 'have', 'had', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'must', 'may', 'might', 'already', 'still', 'currently', 'ever', 'also', 'actually']);
// Verbs of having say nothing the field name needs; verbs of need or offer do ("needsVisa").
const POSSESSION = new Set(['hold', 'holds', 'held', 'own', 'owns', 'owned', 'possess', 'possesses', 'possessed', 'carry', 'carries', 'get', 'gets', 'got']);
const KEPT_VERB: Record<string, string> = { need: 'needs', needs: 'needs', require: 'requires', requires: 'requires', include: 'includes', includes: 'includes', offer: 'offers', offers: 'offers', allow: 'allows', allows: 'allows', accept: 'accepts', accepts: 'accepts', support: 'supports', supports: 'supports' };
const FILLER = new Set(['a', 'an', 'the', 'their', 'its', 'his', 'her', 'our', 'your', 'my', 'any', 'some', 'or', 'not']);

function whetherName(p: string): string[] {
  let ws = words(p.replace(/^whether\s+(?:or not\s+)?/, '').replace(/\s+or not$/, ''));
  // The subject is the item itself ("whether the job is remote") unless it is a bare noun ("whether pets are allowed").
  if (ws.length && WHETHER_SUBJECT.has(ws[0])) ws = ws.slice(1);
  // "whether a deposit was paid" names a thing of the item; "whether the job is remote" the item.
  else if (ws.length > 2 && WHETHER_DETERMINER.has(ws[0]) && AUXILIARY.has(ws[2])) ws = ws.slice(/^(?:a|an)$/.test(ws[0]) ? 1 : 2);
  const verbAt = ws.findIndex((w) => AUXILIARY.has(w) || POSSESSION.has(w) || w in KEPT_VERB);
  const lead: string[] = verbAt > 0 && verbAt <= 2 ? ws.slice(0, verbAt) : [];
  if (verbAt > 0 && verbAt <= 2) ws = ws.slice(verbAt);
  let kept: string | undefined;
  while (ws.length > 1 && (AUXILIARY.has(ws[0]) || POSSESSION.has(ws[0]) || ws[0] in KEPT_VERB)) {
    if (ws[0] in KEPT_VERB) kept = KEPT_VERB[ws[0]];
    ws = ws.slice(1);
  }
  const rest = ws.filter((w) => !FILLER.has(w));
  return [...lead, ...(kept && !lead.length ? [kept] : []), ...rest].slice(0, 5);
}

// Past participles that follow what they qualify: "the year created", "the date published".
const IRREGULAR_PARTICIPLE = new Set(['built', 'made', 'written', 'taken', 'born', 'given', 'sold', 'won', 'paid', 'held', 'sent', 'begun', 'done', 'seen', 'spent', 'known', 'grown', 'drawn', 'shown', 'run', 'set', 'shot', 'bought', 'caught', 'taught', 'found', 'lost', 'left', 'kept', 'met', 'laid', 'read', 'worn', 'ridden', 'driven', 'eaten', 'chosen']);
const isParticiple = (w: string) => (w.length > 4 && w.endsWith('ed')) || IRREGULAR_PARTICIPLE.has(w);
const TIME_WORDS = new Set(['date', 'day', 'time', 'year', 'month', 'week', 'hour', 'datetime', 'timestamp']);

/** Turns a noun phrase into a field, or null when it names nothing a field could hold. */
export function inferField(phrase: string): InferredField | null {
  let p = phrase.toLowerCase().replace(/[“”"]/g, '').replace(/\s+/g, ' ').trim().replace(/[.;:,]+$/, '');
  const notes: string[] = [];
  let values: string[] | undefined;
  let required = false;
  let uniqueFlag = false;
  if (/\b(required|mandatory)\b/.test(p)) required = true;
  if (/\bunique\b/.test(p)) uniqueFlag = true;

  const paren = /\s*\(([^)]*)\)/.exec(p);
  if (paren) {
    const inner = paren[1].replace(/^(?:e\.g\.|eg|for example|such as|like|one of|either)\s*/, '');
    const vs = splitValues(inner);
    if (vs.length >= 2 && !RANGE.test(paren[0])) values = vs;
    else if (!RANGE.test(paren[0]) && !OUT_OF.test(paren[0])) notes.push(paren[1].trim());
    p = (p.slice(0, paren.index) + (RANGE.test(paren[0]) || OUT_OF.test(paren[0]) ? ' ' + paren[1] : '') + p.slice(paren.index + paren[0].length)).trim();
  }
  if (!values) {
    const colon = /^([^:]+):\s*(.+)$/.exec(p);
    if (colon) {
      const vs = splitValues(colon[2]);
      if (vs.length >= 2) values = vs;
      p = colon[1].trim();
    }
  }
  if (!values) {
    const listed = /\s*,?\s*\b(?:such as|like|one of|either|e\.g\.|for example|which (?:is|can be) (?:one of )?|that is (?:one of )?)\s*:?\s*(.+)$/.exec(p);
    if (listed) {
      const vs = splitValues(listed[1]);
      if (vs.length >= 2 && vs.every((v) => !/^\d/.test(v))) {
        values = vs;
        p = p.slice(0, listed.index).trim();
      }
    }
  }
  let min: number | undefined;
  let max: number | undefined;
  const range = RANGE.exec(p);
  if (range) {
    min = Number(range[1]);
    max = Number(range[2]);
    p = (p.slice(0, range.index) + p.slice(range.index + range[0].length)).trim();
  }
  const outOf = OUT_OF.exec(p);
  if (outOf) {
    min = 0;
    max = Number(outOf[1]);
    p = (p.slice(0, outOf.index) + p.slice(outOf.index + outOf[0].length)).trim();
  }
  let unit: string | undefined;
  const u = UNIT.exec(p);
  if (u) {
    unit = u[1];
    p = (p.slice(0, u.index) + p.slice(u.index + u[0].length)).trim();
  }
  let currency: string | undefined;
  const c = CURRENCY.exec(p);
  if (c) {
    currency = c[1];
    p = (p.slice(0, c.index) + p.slice(c.index + c[0].length)).trim();
  }
  p = p.replace(LEADING, '').trim();

  const done = (nameWords: string[], field: Field, note?: string): InferredField | null => {
    let name = nameFrom(nameWords);
    if (!name) return null;
    const system = (SYSTEM_FIELDS as readonly string[]).find((s) => s.toLowerCase() === name.toLowerCase());
    if (system) {
      const renamed = name === 'id' ? 'code' : `${name}Value`;
      notes.push(`"${name}" is a system field every item has, so this one is called "${renamed}"`);
      name = renamed;
    }
    if (required) (field as { required?: boolean }).required = true;
    if (uniqueFlag && field.type !== 'boolean' && field.type !== 'json') (field as { unique?: boolean }).unique = true;
    if (unit && field.type !== 'relation') (field as { description?: string }).description = `In ${unit}.`;
    if (currency && field.type === 'decimal') field.description = `In ${currency}.`;
    const allNotes = [...notes, ...(note ? [note] : [])];
    return allNotes.length ? { name, field, note: allNotes.join('; ') } : { name, field };
  };

  // Booleans: "whether the job is remote", "is featured", "has parking", "a featured flag".
  if (/^whether\b/.test(p)) {
    const name = whetherName(p);
    return name.length ? done(name, { type: 'boolean', default: false }) : null;
  }
  const flag = /^(.+?)\s+(?:flag|toggle|checkbox|switch|boolean|yes\/no|yes or no)$/.exec(p);
  if (flag) return done(words(flag[1]), { type: 'boolean', default: false });
  const isHas = /^(is|has|can|allows?)\s+(.+)$/.exec(p);
  if (isHas) return done(isHas[1] === 'is' ? words(isHas[2]) : [isHas[1].replace(/s$/, ''), ...words(isHas[2])], { type: 'boolean', default: false });

  // "number of servings", "counts of votes", "a list of ingredients"
  const countOf = /^(?:total\s+)?(?:number|numbers|count|counts|amount|tally)\s+of\s+(.+)$/.exec(p);
  if (countOf) {
    const ws = words(countOf[1]);
    if (MONEY.has(ws.at(-1) ?? '')) return done(ws, { type: 'decimal', precision: 12, scale: 2 });
    return done(ws, { type: 'integer', min: 0 });
  }
  const listOf = /^(?:list|lists|set|series|collection|bunch)\s+of\s+(.+)$/.exec(p);
  if (listOf) return done(words(listOf[1]), { type: 'text' }, 'a list is kept as text, one entry per line');

  let ws = words(p.replace(/\bstep[- ]by[- ]step\b/g, '').replace(/\be-mail\b/g, 'email').replace(/\bweb ?site\b/g, 'website').replace(/\bweb address\b/g, 'website').replace(/\bhome ?page\b/g, 'homepage'));
  if (!ws.length) return null;
  // A clause rather than a noun phrase: the caller reports it.
  if (ws.length > 5) return null;
  const richMarker = ws.some((w) => w === 'markdown' || w === 'html' || w === 'rich' || w === 'formatted');
  ws = ws.filter((w, i) => !(SIZE_WORDS.has(w) && i < ws.length - 1) && !(['markdown', 'html', 'formatted'].includes(w) && i < ws.length - 1) && !(w === 'rich' && ws[i + 1] === 'text' && i + 1 < ws.length - 1));
  if (ws.length >= 2 && ws.at(-2) === 'rich' && ws.at(-1) === 'text') ws = ws.slice(0, -2).length ? ws.slice(0, -2) : ['body'];
  // "the languages they speak": a contact clause after the noun says nothing the name needs.
  const pronounAt = ws.findIndex((w, i) => i > 0 && /^(?:they|it|he|she|we|you|i)$/.test(w));
  if (pronounAt > 0) ws = ws.slice(0, pronounAt);
  // "a word count number", "a rating value": the last word repeats the type.
  if (ws.length >= 2 && ['number', 'value', 'field'].includes(ws.at(-1)!) && (ws.at(-1) === 'field' || isQuantity(ws.at(-2)!))) ws = ws.slice(0, -1);
  ws = ws.filter((w, i) => i === 0 || !['a', 'an', 'the'].includes(w));
  // What the value is comes before "per" and "of" ("a price per night", "a date of birth") and before
  // a trailing participle ("the year created").
  let typeWs = ws;
  const cut = ws.findIndex((w, i) => i > 0 && i < ws.length - 1 && (w === 'per' || w === 'of'));
  if (cut > 0) typeWs = ws.slice(0, cut);
  if (typeWs.length >= 2 && isParticiple(typeWs.at(-1)!) && (TIME_WORDS.has(typeWs.at(-2)!) || isQuantity(typeWs.at(-2)!))) typeWs = typeWs.slice(0, -1);
  const head = typeWs.at(-1)!;
  const headSingular = singular(head);

  if (values) {
    const vals = unique(values.map(enumValue));
    return done(ws, { type: 'enum', values: vals, default: vals[0], required: true, index: true });
  }
  if (head === 'slug' || head === 'permalink') return done(ws, { type: 'slug' });
  if (head === 'email' || (head === 'address' && typeWs.at(-2) === 'email')) return done(head === 'address' && typeWs === ws ? ws.slice(0, -1) : ws, { type: 'email' });
  if (['url', 'website', 'link', 'homepage', 'href', 'uri'].includes(head)) return done(ws, { type: 'url' });
  if (MEDIA.has(head) || (head === 'file' && ws.length === 1)) {
    let nameWords = ws;
    if (head === 'file' && ws.length > 1 && DOCUMENT_NOUNS.has(ws.at(-2)!)) nameWords = ws.slice(0, -1);
    const field: Field = { type: 'media' };
    if (ws.some((w) => IMAGE_WORDS.has(w))) field.accept = ['image/*'];
    else if (ws.some((w) => ['audio', 'mp3', 'podcast', 'recording'].includes(w))) field.accept = ['audio/*'];
    else if (ws.some((w) => ['video', 'clip', 'trailer'].includes(w))) field.accept = ['video/*'];
    return done(nameWords, field);
  }
  if (ws.length === 1 && BOOLEAN.has(head)) return done(ws, { type: 'boolean', default: false });
  if (unit === undefined && ['datetime', 'timestamp', 'time', 'at', 'deadline', 'starts', 'ends', 'when'].includes(head)) {
    return done(ws, { type: 'datetime' });
  }
  if (['date', 'day', 'birthday', 'birthdate', 'dob', 'anniversary'].includes(head)) return done(ws, { type: 'date' });
  if (head === 'number' || head === 'no' || head === 'num') {
    const before = typeWs.slice(0, -1);
    if (before.some((w) => ID_NUMBER.has(w))) return done(ws, { type: 'string', max: 40 });
    if (before.length === 1 && ORDERING.has(before[0])) return done(before, { type: 'integer', min: 0 });
    return done(ws, { type: 'integer', min: 0 });
  }
  // A rate is money when it is charged by time or unit ("an hourly rate"), a ratio otherwise ("a germination rate").
  if (head === 'rate' && !/^(?:hourly|daily|nightly|weekly|monthly|annual|yearly|day|night|hour|room|base|flat|rental|pay|billing|hire|tax|exchange|per)$/.test(typeWs.at(-2) ?? '') && !ws.includes('per')) return done(ws, { type: 'number', min: 0 });
  if (MONEY.has(head) && !(head === 'rate' && ws.length === 1)) {
    return done(ws, { type: 'decimal', precision: 12, scale: 2, min: 0 }, currency ? undefined : undefined);
  }
  if (NUMBER.has(head)) {
    const f: Field = { type: 'number' };
    if (min !== undefined) f.min = min;
    if (max !== undefined) f.max = max;
    return done(ws, f);
  }
  if (INTEGER.has(head) || INTEGER.has(headSingular) || unit !== undefined || (min !== undefined && max !== undefined && Number.isInteger(min) && Number.isInteger(max))) {
    const f: Field = { type: 'integer' };
    if (min !== undefined) f.min = min;
    else if (head !== 'level') f.min = 0;
    if (max !== undefined) f.max = max;
    if (min !== undefined && !Number.isInteger(min)) return done(ws, { type: 'number', min, ...(max !== undefined ? { max } : {}) });
    return done(ws, f);
  }
  if (DEFAULT_VALUES[head] && ws.length === 1) {
    const vals = DEFAULT_VALUES[head];
    return done(ws, { type: 'enum', values: vals, default: head === 'priority' ? 'normal' : vals[0], required: true, index: true }, `no values were given, so ${vals.join(', ')} are assumed`);
  }
  if (RICH.has(head) || (richMarker && (LONG.has(head) || head === 'text'))) return done(ws, { type: 'richtext' });
  if (LONG.has(head)) return done(ws, { type: 'text', max: head === 'bio' || head === 'summary' || head === 'excerpt' || head === 'caption' ? 5000 : 100_000 });
  if (['json', 'metadata', 'settings', 'attributes', 'properties', 'specs', 'specifications', 'options'].includes(head)) return done(ws, { type: 'json' });
  if (head === 'title' || head === 'headline' || head === 'subtitle') return done(ws, { type: 'string', max: 200 });
  if (head === 'address' || head === 'location') return done(ws, { type: 'string', max: 300 });
  return done(ws, { type: 'string', max: 200 });
}
