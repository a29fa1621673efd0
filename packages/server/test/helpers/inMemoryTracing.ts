import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';

/** An OpenTelemetry SDK registered in the test process whose spans the test reads back. */
export interface InMemoryTracing {
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** The one ended span named `name`; fails when there is none or more than one. */
  span(name: string): ReadableSpan;
  /** Unregisters the SDK, so the next test (or the worker's own SDK) starts from the API's no-ops. */
  stop(): Promise<void>;
}

/** Registers an SDK (AsyncLocalStorage context, W3C propagator) that keeps every span in memory. */
export function startInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return {
    spans: () => exporter.getFinishedSpans(),
    span(name) {
      const found = exporter.getFinishedSpans().filter((span) => span.name === name);
      if (found.length !== 1) {
        const names = exporter.getFinishedSpans().map((span) => span.name);
        throw new Error(`expected one span '${name}', found ${found.length} among ${JSON.stringify(names)}`);
      }
      return found[0] as ReadableSpan;
    },
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The id of a span's parent, or undefined for a root span. */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
