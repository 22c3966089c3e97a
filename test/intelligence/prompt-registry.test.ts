// The prompt registry: immutable versions with the hash of their text, movable labels, rendering
// with every variable required and inserted verbatim, and refusal of inconsistent definitions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PromptRegistry } from '../../src/intelligence/gateway/prompts/prompt-registry.ts';
import type { PromptDefinition } from '../../src/intelligence/gateway/prompts/prompt-definition.ts';

const summarize: PromptDefinition = {
  name: 'actions.summarize',
  versions: {
    v1: { system: 'You summarize {{collection}} items.', user: 'Summarize in {{sentences}} sentences:\n{{text}}' },
    v2: { system: 'You summarize {{ collection }} items for editors.', user: 'At most {{sentences}} sentences.\n---\n{{text}}' },
  },
  labels: { production: 'v1', canary: 'v2' },
};
const plan: PromptDefinition = {
  name: 'builder.plan',
  versions: { '2026-01': { system: 'You design app specs.', user: '{{description}}' } },
  labels: { production: '2026-01' },
};

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('prompt registry', () => {
  it('lists prompts with their versions and labels', () => {
    const r = new PromptRegistry([summarize, plan]);
    assert.deepEqual(r.list(), [
      { name: 'actions.summarize', versions: ['v1', 'v2'], labels: { production: 'v1', canary: 'v2' } },
      { name: 'builder.plan', versions: ['2026-01'], labels: { production: '2026-01' } },
    ]);
    assert.equal(r.has('builder.plan'), true);
    assert.equal(r.has('builder.edit'), false);
  });

  it('returns a version with the sha256 of its text', () => {
    const r = new PromptRegistry([summarize]);
    const v = r.version('actions.summarize', 'v2');
    assert.equal(v.name, 'actions.summarize');
    assert.equal(v.version, 'v2');
    assert.deepEqual(v.template, summarize.versions.v2);
    assert.equal(v.hash, sha256(JSON.stringify({ system: summarize.versions.v2.system, user: summarize.versions.v2.user })));
    assert.notEqual(r.version('actions.summarize', 'v1').hash, v.hash);
    assert.throws(() => r.version('actions.summarize', 'v3'), /prompt "actions.summarize" has no version "v3"/);
    assert.throws(() => r.version('nope', 'v1'), /unknown prompt "nope"/);
  });

  it('hashes the same text the same way, and a changed text differently', () => {
    const a = new PromptRegistry([plan]).version('builder.plan', '2026-01').hash;
    const b = new PromptRegistry([{ ...plan }]).version('builder.plan', '2026-01').hash;
    const changed = new PromptRegistry([{ ...plan, versions: { '2026-01': { system: 'You design app specs!', user: '{{description}}' } } }]);
    assert.equal(a, b);
    assert.notEqual(changed.version('builder.plan', '2026-01').hash, a);
  });

  it('keeps what a version says even when the caller changes its object later', () => {
    const mutable = { name: 'p', versions: { v1: { system: 'S', user: 'U' } }, labels: { production: 'v1' } };
    const r = new PromptRegistry([mutable]);
    const before = r.version('p', 'v1').hash;
    mutable.versions.v1.system = 'changed';
    assert.equal(r.version('p', 'v1').template.system, 'S');
    assert.equal(r.version('p', 'v1').hash, before);
    assert.throws(() => {
      (r.version('p', 'v1').template as { system: string }).system = 'x';
    }, TypeError);
  });

  it('resolves labels, production by default, and moves them', () => {
    const r = new PromptRegistry([summarize]);
    assert.equal(r.labelled('actions.summarize'), 'v1');
    assert.equal(r.labelled('actions.summarize', 'canary'), 'v2');
    r.setLabel('actions.summarize', 'production', 'v2');
    r.setLabel('actions.summarize', 'previous', 'v1');
    assert.equal(r.labelled('actions.summarize'), 'v2');
    assert.deepEqual(r.list()[0].labels, { production: 'v2', canary: 'v2', previous: 'v1' });
    assert.throws(() => r.labelled('actions.summarize', 'beta'), /has no label "beta"/);
    assert.throws(() => r.setLabel('actions.summarize', 'production', 'v9'), /has no version "v9"/);
    assert.equal(r.labelled('actions.summarize'), 'v2');
    assert.throws(() => r.setLabel('nope', 'production', 'v1'), /unknown prompt "nope"/);
  });

  it('keeps labels per registry: moving one does not change the definitions', () => {
    const a = new PromptRegistry([summarize]);
    a.setLabel('actions.summarize', 'production', 'v2');
    assert.equal(new PromptRegistry([summarize]).labelled('actions.summarize'), 'v1');
    assert.equal(summarize.labels.production, 'v1');
  });
});

describe('prompt registry: render', () => {
  const r = new PromptRegistry([summarize, plan]);

  it('fills the system and user messages', () => {
    assert.deepEqual(r.render('actions.summarize', 'v2', { collection: 'articles', sentences: '2', text: 'Long text.' }), [
      { role: 'system', content: 'You summarize articles items for editors.' },
      { role: 'user', content: 'At most 2 sentences.\n---\nLong text.' },
    ]);
  });

  it('refuses a missing variable, naming it', () => {
    assert.throws(() => r.render('actions.summarize', 'v1', { collection: 'articles', text: 'x' }), /prompt "actions.summarize" version "v1": variable "sentences" is not set/);
    // Inherited names are not variables.
    const p = new PromptRegistry([{ name: 'p', versions: { v: { system: '{{constructor}}', user: '' } }, labels: { production: 'v' } }]);
    assert.throws(() => p.render('p', 'v', {}), /variable "constructor" is not set/);
  });

  it('inserts values verbatim: placeholders and replacement patterns in values are not interpreted', () => {
    const description = 'Ignore {{description}} and {{secret}}; $& $1 $$ $` {{ text }}';
    const [system, user] = r.render('builder.plan', '2026-01', { description, unused: 'extra variables are ignored' });
    assert.equal(system.content, 'You design app specs.');
    assert.equal(user.content, description);
  });

  it('leaves braces that are not placeholders', () => {
    const p = new PromptRegistry([{ name: 'p', versions: { v: { system: 'JSON like {"a": {"b": 1}} and {{ not a var }}', user: '{{x}}}' } }, labels: { production: 'v' } }]);
    assert.deepEqual(p.render('p', 'v', { x: 'X' }), [
      { role: 'system', content: 'JSON like {"a": {"b": 1}} and {{ not a var }}' },
      { role: 'user', content: 'X}' },
    ]);
  });

  it('renders only known versions', () => {
    assert.throws(() => r.render('builder.plan', 'v1', { description: 'x' }), /has no version "v1"/);
  });
});

describe('prompt registry: refused definitions', () => {
  it('refuses a name registered twice', () => {
    assert.throws(() => new PromptRegistry([plan, plan]), /prompt "builder.plan" is registered twice/);
  });

  it('refuses a label pointing at a missing version', () => {
    assert.throws(() => new PromptRegistry([{ ...summarize, labels: { production: 'v1', canary: 'v3' } }]), /label "canary" points at version "v3", which does not exist/);
  });

  it('refuses a prompt without a production label', () => {
    assert.throws(() => new PromptRegistry([{ ...summarize, labels: { canary: 'v2' } }]), /prompt "actions.summarize" has no "production" label/);
  });

  it('refuses a prompt without versions', () => {
    assert.throws(() => new PromptRegistry([{ name: 'empty', versions: {}, labels: { production: 'v1' } }]), /prompt "empty" has no versions/);
  });
});
