import type { NangoConnection } from '@nangohq/protocol';
import { isIP } from 'node:net';
import { baseUrlHost, describePlaceholder } from './baseUrlHost';
import type { Template, TemplatePart } from './types';
import { WorkerError } from '../errors';

type Placeholder = Exclude<TemplatePart, string>;

/** RFC 3986 unreserved characters: a value made of these cannot end a URL's host, path or query early. */
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

/** One DNS label (letters, digits, inner hyphens; no dot): what a placeholder in base_url's host may hold. */
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Fills a compiled integrations.yaml template for one Connection: literal parts are kept, `${field}` reads
 * `connection.credentials[field]`, `${additionalConfig.a.b}` walks `connection.additionalConfig`, and
 * `${userId}` is the Connection's user id.
 *
 * Error messages name the template's path and the placeholder, never a value: the values are credentials.
 *
 * @param options.baseUrl the template is a base_url. Default: false. Whoever can change a Connection's
 *   additionalConfig could otherwise write `evil.example/x?` or `127.0.0.2` into
 *   `https://${additionalConfig.site}.atlassian.net` and move the request, credentials and all, to a host of
 *   their choosing, which the host check would then trust since it compares against this very rendering. So a
 *   value in the host must be one DNS label (the file fixes the domain, see baseUrlHost), a value elsewhere
 *   non-empty RFC 3986 unreserved characters, and a host with a placeholder may not come out as an IP address.
 * @throws WorkerError `http_request_invalid` when a placeholder's value is missing, null, not a string, number
 *   or boolean, or (baseUrl) does not fit where it stands.
 */
export function renderTemplate(template: Template, connection: NangoConnection, options: { baseUrl?: boolean } = {}): string {
  const hostParts = options.baseUrl === true ? baseUrlHost(template).hostParts : new Set<number>();
  let out = '';
  template.parts.forEach((part, index) => {
    if (typeof part === 'string') {
      out += part;
      return;
    }
    const value = renderPlaceholder(template, part, connection);
    const where = `${template.path}: ${describePlaceholder(part)} on this connection`;
    if (hostParts.has(index) && !DNS_LABEL.test(value)) {
      throw invalid(`${where} must be one DNS label (letters, digits and '-', no dots): it fills one label of the host`);
    }
    if (options.baseUrl === true && !UNRESERVED.test(value)) {
      throw invalid(`${where} may hold only letters, digits, '.', '-', '_' and '~'`);
    }
    out += value;
  });
  if (hostParts.size > 0 && URL.canParse(out) && isIpLiteral(new URL(out).hostname)) {
    throw invalid(
      `${template.path}: the host made with this connection's values is an IP address, which base_url does not allow`,
    );
  }
  return out;
}

/** Every template of a map (configured headers or query params) filled for one Connection, in declaration order. */
export function renderAll(templates: ReadonlyMap<string, Template>, connection: NangoConnection): [string, string][] {
  return [...templates].map(([name, template]) => [name, renderTemplate(template, connection)]);
}

/** WHATWG URL has already turned `0x7f.1`, `2130706434` and friends into dotted decimal; IPv6 comes in brackets. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || isIP(hostname.replace(/\.$/, '')) !== 0;
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

/** The value's shape, for messages that must not show the value itself. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
