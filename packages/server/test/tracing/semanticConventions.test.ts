import * as spec from '@opentelemetry/semantic-conventions';
import * as ours from '../../src/tracing/semanticConventions';

// Our copy of the attribute names (kept off the start-up path, see the module) must spell them as the package does.
test.each(Object.entries(ours))('%s is the semantic conventions package’s name', (name, value) => {
  expect(value).toBe((spec as Record<string, unknown>)[name]);
});
