// One span per model call, named and attributed after the OpenTelemetry GenAI semantic conventions
// (inference client span: "{gen_ai.operation.name} {gen_ai.request.model}", kind CLIENT), plus the
// prompt name and version so a trace says which text ran. Only the API is used here: without a
// registered SDK every call is a no-op, and the application decides where spans go.
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { ModelError } from './model-error.ts';

export type ModelCallAttributes = {
  /** gen_ai.operation.name, e.g. "chat". */
  operation: string;
  /** gen_ai.provider.name: "openai", "anthropic", "offline", … */
  provider: string;
  /** gen_ai.request.model */
  requestModel: string;
  promptName: string;
  promptVersion: string;
  tenant?: string;
};

export type ModelCallSpan = {
  /** The model that answered and what the call used: gen_ai.response.model and gen_ai.usage.*. */
  setResponse(model: string, usage: { inputTokens: number; outputTokens: number }): void;
  setAttribute(key: string, value: string | number | boolean): void;
};

export const TRACER_NAME = 'kiln.ai';

/** `error.type`: the ModelError kind when it is one, the error class otherwise, else "_OTHER" as the conventions ask. */
function errorType(e: unknown): string {
  if (e instanceof ModelError) return e.kind;
  if (e instanceof Error && e.name) return e.name;
  return '_OTHER';
}

export async function traceModelCall<T>(attrs: ModelCallAttributes, run: (span: ModelCallSpan) => Promise<T>): Promise<T> {
  const attributes: Attributes = {
    'gen_ai.operation.name': attrs.operation,
    'gen_ai.provider.name': attrs.provider,
    'gen_ai.request.model': attrs.requestModel,
    'app.prompt.name': attrs.promptName,
    'app.prompt.version': attrs.promptVersion,
  };
  if (attrs.tenant !== undefined) attributes['app.tenant'] = attrs.tenant;
  // The tracer is looked up per call so a provider registered after this module loaded is used.
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(`${attrs.operation} ${attrs.requestModel}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const handle: ModelCallSpan = {
      setResponse(model, usage) {
        span.setAttributes({
          'gen_ai.response.model': model,
          'gen_ai.usage.input_tokens': usage.inputTokens,
          'gen_ai.usage.output_tokens': usage.outputTokens,
        });
      },
      setAttribute(key, value) {
        span.setAttribute(key, value);
      },
    };
    try {
      return await run(handle);
    } catch (e) {
      const type = errorType(e);
      span.setAttribute('error.type', type);
      if (e instanceof Error) span.recordException(e);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  });
}
