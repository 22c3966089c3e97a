// Records the spans a test produces: an in-memory exporter behind the global tracer provider,
// registered once per process (the OpenTelemetry API keeps the first global provider it is given).
// Usage: `const rec = recordSpans();` then `rec.reset()` before a case and `rec.spans()` after it.
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type SpanRecorder = {
  /** The ended spans since the last reset, in the order they ended. */
  spans(): ReadableSpan[];
  reset(): void;
};

let exporter: InMemorySpanExporter | undefined;

export function recordSpans(): SpanRecorder {
  if (!exporter) {
    const created = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(created)] });
    if (!trace.setGlobalTracerProvider(provider)) throw new Error('another global tracer provider is already registered in this process');
    exporter = created;
  }
  const e = exporter;
  return { spans: () => e.getFinishedSpans(), reset: () => e.reset() };
}
