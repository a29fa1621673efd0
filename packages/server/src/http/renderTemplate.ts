import type { NangoConnection } from '@nangohq/protocol';
import type { Template, TemplatePart } from '../config/types';
import { WorkerError } from '../errors';

type Placeholder = Exclude<TemplatePart, string>;

/**
 * Fills a compiled integrations.yaml template for one Connection: literal parts are kept, `${field}` reads
 * `connection.credentials[field]`, `${additionalConfig.a.b}` walks `connection.additionalConfig`, and
 * `${userId}` is the Connection's user id.
 *
 * Error messages name the template's path and the placeholder, never a value: the values are credentials.
 *
 * @throws WorkerError `http_request_invalid` when a placeholder's value is missing, null, or not a string,
 *   number or boolean.
 */
export function renderTemplate(template: Template, connection: NangoConnection): string {
  let out = '';
  for (const part of template.parts) {
    out += typeof part === 'string' ? part : renderPlaceholder(template, part, connection);
  }
  return out;
}

function renderPlaceholder(template: Template, part: Placeholder, connection: NangoConnection): string {
  const value = lookUp(part, connection);
  if (value === undefined || value === null) {
    throw new WorkerError('http_request_invalid', `${template.path}: ${describePlaceholder(part)} is not set on this connection`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new WorkerError(
      'http_request_invalid',
      `${template.path}: ${describePlaceholder(part)} on this connection is ${kindOf(value)}, not a string, number or boolean`,
    );
  }
  return String(value);
}

function lookUp(part: Placeholder, connection: NangoConnection): unknown {
  switch (part.kind) {
    case 'userId':
      return connection.userId;
    case 'credential':
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
