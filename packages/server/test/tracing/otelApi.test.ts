import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { trace } from '@opentelemetry/api';
import { otelRegistered } from '../../src/tracing/otelApi';
import { activeTracer } from '../../src/tracing/tracer';
import { bindToActiveContext, currentTraceId } from '../../src/tracing/currentTraceId';

afterEach(() => trace.disable());

// The span helpers skip the API (and its load) until something registers with it: the global they look at must be
// the one the installed API registers in, or an SDK would go unnoticed.
test('nothing registered: no tracer, no trace id, callbacks unbound', () => {
  expect(otelRegistered()).toBe(false);
  expect(activeTracer()).toBeUndefined();
  expect(currentTraceId()).toBeUndefined();
  const fn = () => 1;
  expect(bindToActiveContext(fn)).toBe(fn);
});

test('a tracer provider registered through the API is seen', () => {
  trace.setGlobalTracerProvider(new NodeTracerProvider());
  expect(otelRegistered()).toBe(true);
  expect(activeTracer()).toBeDefined();
});
