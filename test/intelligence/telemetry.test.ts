// Model-call spans as an OpenTelemetry backend receives them: GenAI convention names and
// attributes, the prompt version, and failures recorded with their ModelError kind.
import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { traceModelCall, type ModelCallAttributes } from '../../src/intelligence/gateway/telemetry.ts';
import { ModelError } from '../../src/intelligence/gateway/model-error.ts';
import { recordSpans } from './span-recorder.ts';

const recorder = recordSpans();
const call: ModelCallAttributes = {
  operation: 'chat',
  provider: 'openai',
  requestModel: 'gpt-4.1-mini',
  promptName: 'builder.plan',
  promptVersion: 'v2',
  tenant: 'northwind',
};

describe('telemetry: model call spans', () => {
  beforeEach(() => recorder.reset());

  it('exports one client span named after the operation and model, with the GenAI attributes', async () => {
    const answer = await traceModelCall(call, async (span) => {
      span.setResponse('gpt-4.1-mini-2025-04-14', { inputTokens: 812, outputTokens: 240 });
      span.setAttribute('app.cache.hit', false);
      return 'the answer';
    });
    assert.equal(answer, 'the answer');
    const spans = recorder.spans();
    assert.equal(spans.length, 1);
    const [s] = spans;
    assert.equal(s.name, 'chat gpt-4.1-mini');
    assert.equal(s.kind, SpanKind.CLIENT);
    assert.equal(s.instrumentationScope.name, 'kiln.ai');
    assert.deepEqual(s.attributes, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
      'gen_ai.usage.input_tokens': 812,
      'gen_ai.usage.output_tokens': 240,
      'app.prompt.name': 'builder.plan',
      'app.prompt.version': 'v2',
      'app.tenant': 'northwind',
      'app.cache.hit': false,
    });
    assert.equal(s.status.code, SpanStatusCode.UNSET);
  });

  it('leaves out the tenant when there is none, and the response when there was none', async () => {
    const { tenant: _, ...withoutTenant } = call;
    await traceModelCall({ ...withoutTenant, provider: 'offline', requestModel: 'offline-planner' }, async () => 1);
    const [s] = recorder.spans();
    assert.equal(s.name, 'chat offline-planner');
    assert.deepEqual(Object.keys(s.attributes).sort(), ['app.prompt.name', 'app.prompt.version', 'gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model']);
  });

  it('records a ModelError with its kind as error.type and rethrows it', async () => {
    const error = new ModelError('rate_limited', 'slow down', { status: 429, retryAfterMs: 2000 });
    await assert.rejects(
      traceModelCall(call, async () => {
        throw error;
      }),
      (e) => e === error,
    );
    const [s] = recorder.spans();
    assert.equal(s.status.code, SpanStatusCode.ERROR);
    assert.equal(s.status.message, 'slow down');
    assert.equal(s.attributes['error.type'], 'rate_limited');
    assert.equal(s.attributes['gen_ai.request.model'], 'gpt-4.1-mini');
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0].name, 'exception');
    assert.equal(s.events[0].attributes?.['exception.message'], 'slow down');
  });

  it('records other errors by class, and values thrown that are not errors as _OTHER', async () => {
    await assert.rejects(
      traceModelCall(call, async () => {
        throw new TypeError('bad json');
      }),
      TypeError,
    );
    await assert.rejects(
      traceModelCall(call, async () => {
        throw 'a string';
      }),
      (e) => e === 'a string',
    );
    const [typeError, other] = recorder.spans();
    assert.equal(typeError.attributes['error.type'], 'TypeError');
    assert.equal(typeError.status.code, SpanStatusCode.ERROR);
    assert.equal(other.attributes['error.type'], '_OTHER');
    assert.equal(other.status.message, 'a string');
  });

  it('ends a span per call, also when calls overlap', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = traceModelCall({ ...call, requestModel: 'slow' }, async () => {
      await gate;
      return 'slow';
    });
    const fast = await traceModelCall({ ...call, requestModel: 'fast' }, async () => 'fast');
    assert.equal(fast, 'fast');
    assert.deepEqual(recorder.spans().map((s) => s.name), ['chat fast']);
    release();
    assert.equal(await slow, 'slow');
    assert.deepEqual(recorder.spans().map((s) => s.name), ['chat fast', 'chat slow']);
  });
});
