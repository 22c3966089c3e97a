// A few realistic items per collection, so a new app serves content on its first start. Items name
// each other by "$key" (see src/data/seed.ts); collections are ordered so targets come first.
import type { Field, Spec } from '../../../spec/schema.ts';
import type { SeedDoc } from '../../../data/seed.ts';
import { toSlug } from '../../../spec/values.ts';
import { label, singular } from './inflect.ts';
import { isPersonish } from './vocabulary.ts';

const PEOPLE = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Katherine Johnson'];
const TITLES = ['Getting started', 'A look behind the scenes', 'Ten lessons from our first year', 'What comes next'];
const WORDS = ['General', 'Featured', 'Community', 'Guides'];
const ITEMS_PER_COLLECTION = 3;

function order(spec: Spec): string[] {
  const names = Object.keys(spec.collections);
  const out: string[] = [];
  const visiting = new Set<string>();
  const visit = (n: string) => {
    if (out.includes(n) || visiting.has(n)) return;
    visiting.add(n);
    for (const f of Object.values(spec.collections[n].fields)) if (f.type === 'relation' && f.to !== n) visit(f.to);
    visiting.delete(n);
    out.push(n);
  };
  names.forEach(visit);
  return out;
}

function textFor(name: string, cname: string, i: number, field: Field, examples: string[] | undefined, titleField: string | undefined): string {
  const thing = singular(cname);
  if (name === titleField && examples?.[i]) return examples[i];
  if (name === titleField || /name$/i.test(name)) {
    if (isPersonish(thing) || /person|people|member|user|staff/.test(cname) || /^(display|full|first|last|contact)Name$/.test(name)) return PEOPLE[i % PEOPLE.length];
    if (name === 'title' || name === 'headline') return `${TITLES[i % TITLES.length]}`;
    return `${label(thing)} ${WORDS[i % WORDS.length].toLowerCase()}`.replace(/^./, (c) => c.toUpperCase());
  }
  if (field.type === 'richtext') return `## ${TITLES[i % TITLES.length]}\n\nThis is sample ${label(name).toLowerCase()} for a ${label(thing).toLowerCase()}. Replace it with your own.`;
  if (field.type === 'text') return `Sample ${label(name).toLowerCase()} for ${label(thing).toLowerCase()} ${i + 1}.`;
  return `${label(name)} ${i + 1}`;
}

function valueFor(spec: Spec, cname: string, name: string, field: Field, i: number, keys: Map<string, string[]>, examples: Map<string, string[]>): unknown {
  const col = spec.collections[cname];
  switch (field.type) {
    case 'string':
    case 'text':
    case 'richtext': {
      const s = textFor(name, cname, i, field, examples.get(cname), col.titleField);
      return field.max !== undefined ? s.slice(0, field.max) : s;
    }
    case 'slug':
      return field.from ? undefined : `${toSlug(singular(cname))}-${i + 1}`;
    case 'email':
      return `${toSlug(PEOPLE[i % PEOPLE.length]).replace(/-/g, '.')}+${toSlug(cname)}@example.com`;
    case 'url':
      return `https://example.com/${toSlug(cname)}/${i + 1}`;
    case 'media':
      return field.accept?.some((a) => a.startsWith('audio')) ? `https://media.example.com/${toSlug(cname)}-${i + 1}.mp3` : `https://images.example.com/${toSlug(cname)}-${i + 1}.jpg`;
    case 'integer': {
      const lo = field.min ?? 0;
      const hi = field.max ?? lo + 100;
      return Math.min(hi, lo + ((i * 7 + 3) % (hi - lo + 1)));
    }
    case 'number': {
      const lo = field.min ?? 0;
      const hi = field.max ?? lo + 100;
      return Math.min(hi, lo + ((i * 7 + 3) % (hi - lo + 1)) + 0.5 > hi ? hi : lo + ((i * 7 + 3) % (hi - lo + 1)) + 0.5);
    }
    case 'decimal':
      return `${[19, 45, 120, 8][i % 4]}.${['00', '50', '99', '25'][i % 4]}`;
    case 'boolean':
      return i % 2 === 0;
    case 'date':
      return `2025-0${(i % 9) + 1}-1${i % 9}`;
    case 'datetime':
      return `2025-0${(i % 9) + 1}-1${i % 9}T1${i % 9}:00:00Z`;
    case 'enum': {
      if (col.workflow?.field === name) return i < ITEMS_PER_COLLECTION - 1 ? col.workflow.publish : field.default ?? field.values[0];
      const v = field.values[i % field.values.length];
      return field.multiple ? [v] : v;
    }
    case 'json':
      return {};
    case 'relation': {
      const targets = keys.get(field.to) ?? [];
      if (field.to === cname) return i === 0 ? undefined : targets[0];
      if (!targets.length) return undefined;
      return field.many ? targets.slice(0, Math.min(targets.length, 2 + (i % 2))).slice(i % 2) : targets[i % targets.length];
    }
  }
}

export function seedFor(spec: Spec, examples: Map<string, string[]> = new Map()): SeedDoc {
  const keys = new Map<string, string[]>();
  const data: Record<string, Record<string, unknown>[]> = {};
  for (const cname of order(spec)) {
    const col = spec.collections[cname];
    const n = Math.max(ITEMS_PER_COLLECTION, Math.min(examples.get(cname)?.length ?? 0, 6));
    const own: string[] = [];
    keys.set(cname, own);
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const item: Record<string, unknown> = { $key: `${singular(cname)}${i + 1}` };
      for (const [name, field] of Object.entries(col.fields)) {
        const v = valueFor(spec, cname, name, field, i, keys, examples);
        if (v !== undefined) item[name] = v;
      }
      items.push(item);
      own.push(item.$key as string);
    }
    data[cname] = items;
  }
  const multi = spec.tenancy === 'multi';
  return { tenants: [{ slug: multi ? 'demo' : 'default', name: multi ? 'Demo tenant' : spec.title ?? spec.name, data }] };
}
