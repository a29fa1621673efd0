import type { NangoConnection } from '@nangohq/protocol';
import type { Template, TemplatePart } from '../config/types';
import { WorkerError } from '../errors';

type Placeholder = Exclude<TemplatePart, string>;

/** RFC 3986 unreserved characters: a value made of these cannot end a URL's host, path or query early. */
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

/**
 * Fills a compiled integrations.yaml template for one Connection: literal parts are kept, `${field}` reads
 * `connection.credentials[field]`, `${additionalConfig.a.b}` walks `connection.additionalConfig`, and
 * `${userId}` is the Connection's user id.
 *
 * Error messages name the template's path and the placeholder, never a value: the values are credentials.
 *
 * @param options.unreservedOnly every value must be non-empty RFC 3986 unreserved characters. Default: false.
 *   Set for base_url: whoever can change a Connection's additionalConfig could otherwise write `evil.example/x?`
 *   into `https://${additionalConfig.site}.atlassian.net` and move the request, credentials and all, to their
 *   own host, which the host check would then trust since it compares against this very rendering.
 * @throws WorkerError `http_request_invalid` when a placeholder's value is missing, null, not a string, number
 *   or boolean, or (unreservedOnly) empty or holding any other character.
 */
export function renderTemplate(
  template: Template,
  connection: NangoConnection,
  options: { unreservedOnly?: boolean } = {},
): string {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = renderPlaceholder(template, part, connection);
    if (options.unreservedOnly === true && !UNRESERVED.test(value)) {
      const allowed = "letters, digits, '.', '-', '_' and '~'";
      throw invalid(`${template.path}: ${describePlaceholder(part)} on this connection may hold only ${allowed}`);
    }
    out += value;
  }
  return out;
}

function renderPlaceholder(template: Template, part: Placeholder, connection: NangoConnection): string {
  const value = lookUp(part, connection);
  if (value === undefined || value === null) {
    throw invalid(`${template.path}: ${describePlaceholder(part)} is not set on this connection`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw invalid(
      `${template.path}: ${describePlaceholder(part)} on this connection is ${kindOf(value)}, not a string, number or boolean`,
    );
  }
  return String(value);
}

function invalid(message: string): WorkerError {
  return new WorkerError('http_request_invalid', message);
}

function lookUp(part: Placeholder, connection: NangoConnection): unknown {
  switch (part.kind) {
    case 'userId':
      return connection.userId;
    case 'credential':
      // `raw.<field>` (the 2022 format's placeholder) reads one field of the provider's raw token response.
      if (part.field.startsWith('raw.')) return ownProperty(ownProperty(connection.credentials, 'raw'), part.field.slice(4));
      return ownProperty(connection.credentials, part.field);
    case 'config': {
      let current: unknown = connection.additionalConfig;
      for (const key of part.path) {
        current = ownProperty(current, key);
      }
      return current;
    }
  }
}

/** Own properties only, so `${additionalConfig.constructor}` is missing rather than Object's constructor. */
function ownProperty(container: unknown, key: string): unknown {
  if (typeof container !== 'object' || container === null) return undefined;
  return Object.prototype.hasOwnProperty.call(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

function describePlaceholder(part: Placeholder): string {
  switch (part.kind) {
    case 'userId':
      return '${userId}';
    case 'credential':
      return `\${${part.field}}`;
    case 'config':
      return `\${additionalConfig.${part.path.join('.')}}`;
  }
}

/** The value's shape, for messages that must not show the value itself. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
