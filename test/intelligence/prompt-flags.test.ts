// Prompt versions per tenant through OpenFeature: percentage rollout by a stable bucket, tenant
// overrides, the production label for everyone else, shadow versions, and refused configs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { PromptRegistry } from '../../src/intelligence/gateway/prompts/prompt-registry.ts';
import { PromptFlags, readPromptFlagConfig, rolloutBucket, type PromptFlagConfig } from '../../src/intelligence/gateway/prompts/prompt-flags.ts';
import type { PromptDefinition } from '../../src/intelligence/gateway/prompts/prompt-definition.ts';

const template = (s: string) => ({ system: s, user: '{{text}}' });
const definitions: PromptDefinition[] = [
  { name: 'actions.summarize', versions: { v1: template('one'), v2: template('two'), v3: template('three') }, labels: { production: 'v1' } },
  { name: 'builder.plan', versions: { a: template('a'), b: template('b') }, labels: { production: 'a' } },
];
const registry = () => new PromptRegistry(definitions);
const tenants = Array.from({ length: 1000 }, (_, i) => `tenant-${i}`);

async function versionsOf(flags: PromptFlags, prompt: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const t of tenants) {
    const { version } = await flags.choose(prompt, t);
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return counts;
}

describe('prompt flags: rollout', () => {
  it('gives about 30% of 1,000 tenants the rolled-out version and the rest production', async () => {
    const flags = new PromptFlags(registry(), { 'actions.summarize': { rollout: [{ version: 'v2', percent: 30 }] } });
    const counts = await versionsOf(flags, 'actions.summarize');
    assert.deepEqual([...counts.keys()].sort(), ['v1', 'v2']);
    const v2 = counts.get('v2') ?? 0;
    assert.ok(v2 >= 240 && v2 <= 360, `v2 went to ${v2} of 1000 tenants`);
    assert.equal((counts.get('v1') ?? 0) + v2, 1000);
  });

  it('splits between several versions in order of the buckets', async () => {
    const flags = new PromptFlags(registry(), { 'actions.summarize': { rollout: [{ version: 'v2', percent: 20 }, { version: 'v3', percent: 50 }] } });
    const counts = await versionsOf(flags, 'actions.summarize');
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => counts.get(v) ?? 0);
    assert.ok(v2 >= 140 && v2 <= 260, `v2: ${v2}`);
    assert.ok(v3 >= 420 && v3 <= 580, `v3: ${v3}`);
    assert.ok(v1 >= 220 && v1 <= 380, `v1: ${v1}`);
    for (const t of tenants.slice(0, 200)) {
      const b = rolloutBucket('actions.summarize', t);
      assert.equal((await flags.choose('actions.summarize', t)).version, b < 20 ? 'v2' : b < 70 ? 'v3' : 'v1');
    }
  });

  it('keeps a tenant on its version: the same answer every time and from a new instance', async () => {
    const config: PromptFlagConfig = { 'actions.summarize': { rollout: [{ version: 'v2', percent: 50 }] } };
    const a = new PromptFlags(registry(), config);
    const b = new PromptFlags(registry(), config);
    for (const t of tenants.slice(0, 100)) {
      const first = await a.choose('actions.summarize', t);
      assert.deepEqual(await a.choose('actions.summarize', t), first);
      assert.deepEqual(await b.choose('actions.summarize', t), first);
    }
  });

  it('buckets each prompt separately, so one tenant is not always first in every rollout', () => {
    const same = tenants.filter((t) => rolloutBucket('actions.summarize', t) === rolloutBucket('builder.plan', t)).length;
    assert.ok(same < 50, `${same} of 1000 tenants share a bucket across two prompts`);
    for (const t of tenants) {
      const b = rolloutBucket('actions.summarize', t);
      assert.ok(Number.isInteger(b) && b >= 0 && b <= 99);
    }
  });

  it('0% gives nobody the version and 100% gives it to everybody', async () => {
    const none = new PromptFlags(registry(), { 'actions.summarize': { rollout: [{ version: 'v2', percent: 0 }] } });
    assert.deepEqual([...(await versionsOf(none, 'actions.summarize'))], [['v1', 1000]]);
    const all = new PromptFlags(registry(), { 'actions.summarize': { rollout: [{ version: 'v2', percent: 100 }] } });
    assert.deepEqual([...(await versionsOf(all, 'actions.summarize'))], [['v2', 1000]]);
  });

  it('gives the rest whatever the production label points at when asked', async () => {
    const r = registry();
    const flags = new PromptFlags(r, { 'actions.summarize': { rollout: [{ version: 'v2', percent: 30 }] } });
    const rest = tenants.find((t) => rolloutBucket('actions.summarize', t) >= 30) ?? '';
    const rolled = tenants.find((t) => rolloutBucket('actions.summarize', t) < 30) ?? '';
    assert.deepEqual(await flags.choose('actions.summarize', rest), { version: 'v1' });
    r.setLabel('actions.summarize', 'production', 'v3');
    assert.deepEqual(await flags.choose('actions.summarize', rest), { version: 'v3' });
    assert.deepEqual(await flags.choose('actions.summarize', rolled), { version: 'v2' });
  });

  it('gives production for a prompt without flags and refuses an unknown prompt', async () => {
    const flags = new PromptFlags(registry(), {});
    assert.deepEqual(await flags.choose('builder.plan', 'northwind'), { version: 'a' });
    await assert.rejects(flags.choose('builder.edit', 'northwind'), /unknown prompt "builder.edit"/);
  });
});

describe('prompt flags: tenants and shadows', () => {
  it('lets a tenant override win over the rollout', async () => {
    const flags = new PromptFlags(registry(), {
      'actions.summarize': { rollout: [{ version: 'v2', percent: 100 }], tenants: { northwind: 'v3', acme: 'v1' } },
    });
    assert.deepEqual(await flags.choose('actions.summarize', 'northwind'), { version: 'v3' });
    assert.deepEqual(await flags.choose('actions.summarize', 'acme'), { version: 'v1' });
    assert.deepEqual(await flags.choose('actions.summarize', 'globex'), { version: 'v2' });
    // Names inherited by every object are not tenants of the config.
    assert.deepEqual(await flags.choose('actions.summarize', 'constructor'), { version: 'v2' });
  });

  it('returns the shadow version beside the chosen one, but not when they are the same', async () => {
    const flags = new PromptFlags(registry(), { 'actions.summarize': { shadow: 'v2', tenants: { acme: 'v2' } } });
    assert.deepEqual(await flags.choose('actions.summarize', 'northwind'), { version: 'v1', shadow: 'v2' });
    assert.deepEqual(await flags.choose('actions.summarize', 'acme'), { version: 'v2' });
    assert.deepEqual(await flags.choose('builder.plan', 'northwind'), { version: 'a' });
  });

  it('is not affected by a provider set globally or for another domain', async () => {
    const flags = new PromptFlags(registry(), { 'actions.summarize': { tenants: { northwind: 'v2' } } });
    const hostile = new InMemoryProvider({ 'actions.summarize': { variants: { x: { version: 'v3' } }, defaultVariant: 'x', disabled: false } });
    await OpenFeature.setProviderAndWait(hostile);
    try {
      assert.deepEqual(await flags.choose('actions.summarize', 'northwind'), { version: 'v2' });
      assert.deepEqual(await flags.choose('actions.summarize', 'globex'), { version: 'v1' });
    } finally {
      await OpenFeature.clearProviders();
    }
  });
});

describe('prompt flags: refused configs', () => {
  const refuses = (config: unknown, message: RegExp) => assert.throws(() => new PromptFlags(registry(), config as PromptFlagConfig), message);

  it('refuses unknown prompts and versions', () => {
    refuses({ 'builder.edit': {} }, /names prompt "builder.edit", which is not registered/);
    refuses({ 'actions.summarize': { rollout: [{ version: 'v9', percent: 10 }] } }, /"actions.summarize" names version "v9", which does not exist/);
    refuses({ 'actions.summarize': { tenants: { acme: 'v9' } } }, /names version "v9"/);
    refuses({ 'actions.summarize': { shadow: 'a' } }, /names version "a"/);
  });

  it('refuses percentages over 100 in total, fractional or negative', () => {
    refuses({ 'actions.summarize': { rollout: [{ version: 'v2', percent: 60 }, { version: 'v3', percent: 41 }] } }, /actions\.summarize\.rollout: the percentages add up to more than 100/);
    refuses({ 'actions.summarize': { rollout: [{ version: 'v2', percent: 12.5 }] } }, /actions\.summarize\.rollout\.0\.percent/);
    refuses({ 'actions.summarize': { rollout: [{ version: 'v2', percent: -1 }] } }, /actions\.summarize\.rollout\.0\.percent/);
  });

  it('refuses unknown keys, so a typo does not silently do nothing', () => {
    refuses({ 'actions.summarize': { tenant: { acme: 'v2' } } }, /tenant/);
  });
});

describe('prompt flags: KILN_AI_PROMPT_FLAGS', () => {
  it('reads the JSON config, and nothing when unset or blank', () => {
    const config = { 'builder.plan': { rollout: [{ version: 'b', percent: 25 }], tenants: { acme: 'a' }, shadow: 'b' } };
    assert.deepEqual(readPromptFlagConfig({ KILN_AI_PROMPT_FLAGS: JSON.stringify(config) }), config);
    assert.deepEqual(readPromptFlagConfig({}), {});
    assert.deepEqual(readPromptFlagConfig({ KILN_AI_PROMPT_FLAGS: '  ' }), {});
  });

  it('says clearly when it is malformed', () => {
    assert.throws(() => readPromptFlagConfig({ KILN_AI_PROMPT_FLAGS: '{"builder.plan": {rollout' }), /KILN_AI_PROMPT_FLAGS is not valid JSON/);
    assert.throws(() => readPromptFlagConfig({ KILN_AI_PROMPT_FLAGS: '[1, 2]' }), /KILN_AI_PROMPT_FLAGS is invalid: \(root\)/);
    assert.throws(
      () => readPromptFlagConfig({ KILN_AI_PROMPT_FLAGS: '{"builder.plan": {"rollout": [{"version": "b", "percent": "30"}]}}' }),
      /KILN_AI_PROMPT_FLAGS is invalid: builder\.plan\.rollout\.0\.percent: /,
    );
  });
});
