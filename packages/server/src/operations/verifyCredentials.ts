import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { performHttpRequest } from '../outbound/performHttpRequest';

/** Nango's catalog `proxy.verification`: a call that succeeds only with good credentials. */
interface Verification {
  method?: string;
  endpoints?: string[];
  endpoint?: string;
}

/**
 * The verification request of an integration's catalog entry (its first endpoint), if it names one: what
 * verifyCredentials would call, for callers that must know beforehand (the background check plans with it).
 */
export function verificationOf(integration: IntegrationConfig): { method: string; endpoint: string } | undefined {
  const verification = (integration.provider?.proxy as { verification?: Verification } | undefined)?.verification;
  const endpoint = verification?.endpoints?.[0] ?? verification?.endpoint;
  return verification && endpoint ? { method: verification.method ?? 'GET', endpoint } : undefined;
}

/** What a verification found: `skipped` when the integration's catalog entry names no verification request. */
export type VerificationOutcome = { status: 'verified'; endpoint: string } | { status: 'skipped' };

/** Why the provider refused credentials at its verification request: its answer's status, or the request's error code. */
export class CredentialsRefused extends Error {
  constructor(
    readonly endpoint: string,
    readonly answer: number | string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsRefused';
  }
}

/**
 * Tries a Connection's credentials at its catalog entry's `proxy.verification` request, when there is one, as an
 * action's httpRequest would send them. Any non-2xx answer (or no answer) refuses them.
 * @param connection the Connection as stored, or as it would be stored (nothing is read from the store)
 * @throws CredentialsRefused naming the integration, the endpoint and the provider's answer (never a credential)
 */
export async function verifyCredentials(
  integration: IntegrationConfig,
  connection: NangoConnection,
): Promise<VerificationOutcome> {
  const verification = verificationOf(integration);
  if (!verification) return { status: 'skipped' };
  const { endpoint } = verification;
  let answer: number | string;
  try {
    const response = await performHttpRequest(integration, connection, { method: verification.method, endpoint });
    if (response.ok) return { status: 'verified', endpoint };
    answer = response.status;
  } catch (error) {
    answer = error instanceof WorkerError ? error.code : 'network error';
  }
  throw new CredentialsRefused(
    endpoint,
    answer,
    `The provider refused these credentials (${integration.name} verification ${endpoint} answered ${answer}): check them and try again`,
  );
}
