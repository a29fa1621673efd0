/**
 * `text` parsed as JSON when it is an object (not an array, not null); undefined otherwise, and for text that is not
 * JSON. For providers' answers, which may be HTML pages, plain text or arrays where an object was expected.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
