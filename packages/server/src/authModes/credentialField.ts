import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';

/**
 * A credential the request needs, as a non-empty string (or, with `mayBeEmpty`, any string).
 * @throws WorkerError `http_request_invalid` naming the field (never a value) when the Connection lacks it
 */
export function credentialField(
  integration: IntegrationConfig,
  connection: NangoConnection,
  field: string,
  options: { mayBeEmpty?: boolean } = {},
): string {
  const { credentials } = connection;
  const value = Object.prototype.hasOwnProperty.call(credentials, field) ? credentials[field] : undefined;
  if (typeof value !== 'string' || (value === '' && options.mayBeEmpty !== true)) {
    throw new WorkerError(
      'http_request_invalid',
      `integration ${integration.name} (${integration.authMode}): this connection has no ${field} credential`,
    );
  }
  return value;
}

/**
 * Sets one header; undici's own error for a bad value would quote it, maybe a credential, so only the name is said.
 * @throws WorkerError `http_request_invalid`
 */
export function setCredentialHeader(headers: Headers, name: string, value: string): void {
  try {
    headers.set(name, value);
  } catch {
    throw new WorkerError(
      'http_request_invalid',
      `the ${name} header made from this connection's credentials is not a valid header value`,
    );
  }
}
