import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { performHttpRequest } from './performHttpRequest';
import { catalogRequestTarget, renderCatalogBody, renderCatalogHeaders, renderCatalogPath } from './catalogRequest';

/**
 * Nango's catalog `proxy.verification`: a cheap authenticated call that succeeds only with good credentials. The
 * endpoints are alternatives, tried in turn until one answers 2xx; `endpoint` is the older spelling of one.
 */
interface Verification {
  method?: string;
  endpoints?: unknown[];
  endpoint?: string;
  headers?: Record<string, string>;
  /** A body, sent as JSON (a POST verification). */
  data?: unknown;
  /** Another base URL than proxy.base_url for the call (same placeholder rules). */
  base_url_override?: string;
}

/**
 * Time limit of each call of a verification request when the caller gives none (the default of
 * NANGO_VERIFICATION_TIMEOUT_MS).
 */
export const DEFAULT_VERIFICATION_TIMEOUT_MS = 10_000;

/**
 * The verification request of an integration's catalog entry (its first endpoint), if it names one: what
 * verifyCredentials calls first, for callers that must know beforehand (the background check plans with it).
 */
export function verificationOf(integration: IntegrationConfig): { method: string; endpoint: string } | undefined {
  const verification = (integration.provider?.proxy as { verification?: Verification } | undefined)?.verification;
  const endpoint = [...(verification?.endpoints ?? []), verification?.endpoint].find(
    (candidate): candidate is string => typeof candidate === 'string' && candidate !== '',
  );
  return verification && endpoint ? { method: (verification.method ?? 'GET').toUpperCase(), endpoint } : undefined;
}

/** What a verification found: `skipped` when the integration's catalog entry names no verification request. */
export type VerificationOutcome = { status: 'verified'; endpoint: string } | { status: 'skipped' };

/**
 * Why credentials were not verified: the provider refused them (`credentials_rejected`: its answer was 4xx but 408
 * and 429), or gave no verdict (`credentials_check_failed`, retryable: no answer in time, a network error, 408, 429
 * or 5xx). `answer` is the status, or what went wrong without an answer.
 */
export class CredentialsRefused extends Error {
  readonly code: 'credentials_rejected' | 'credentials_check_failed';
  constructor(
    readonly endpoint: string,
    readonly answer: number | string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'CredentialsRefused';
    this.code = retryable ? 'credentials_check_failed' : 'credentials_rejected';
  }

  /** The error every door answers with. */
  toWorkerError(): WorkerError {
    return new WorkerError(this.code, this.message);
  }
}

/**
 * Tries a Connection's credentials at its catalog entry's `proxy.verification` request, when there is one, as an
 * action's httpRequest would send them (the mode's authorisation, the integration's headers, the catalog's own
 * verification headers and body on top), each call within `timeoutMs`. The one entry point for every door at
 * creation and for the background re-check.
 * @param connection the Connection as stored, or as it would be stored (nothing is read from the store)
 * @throws CredentialsRefused naming the integration, the endpoint as the catalog writes it and the provider's answer
 *   (never a credential); `retryable` when the provider gave no verdict
 * @throws WorkerError `invalid_connection_config` when the request cannot be made from the Connection's config (a
 *   per-tenant value the URL needs is missing or does not fit)
 */
export async function verifyCredentials(
  integration: IntegrationConfig,
  connection: NangoConnection,
  options: { timeoutMs?: number | undefined } = {},
): Promise<VerificationOutcome> {
  const verification = (integration.provider?.proxy as { verification?: Verification } | undefined)?.verification;
  const endpoints = [...(verification?.endpoints ?? []), verification?.endpoint].filter(
    (endpoint): endpoint is string => typeof endpoint === 'string' && endpoint !== '',
  );
  if (!verification || endpoints.length === 0) return { status: 'skipped' };
  // Without a limit from the caller (the background re-check), the integration's own, if shorter, holds too.
  const timeoutMs = options.timeoutMs ?? Math.min(integration.httpTimeoutMs, DEFAULT_VERIFICATION_TIMEOUT_MS);
  const method = (verification.method ?? 'GET').toUpperCase();
  const who = integration.provider?.display_name ?? integration.name;
  let last: CredentialsRefused | undefined;
  let gaveNoVerdict: CredentialsRefused | undefined;
  try {
    // The integration's own limit a little later than the call's, so the call's is the one that fires.
    const target = catalogRequestTarget(
      integration,
      connection,
      verification.base_url_override,
      timeoutMs + 1_000,
      'proxy.verification.base_url_override',
    );
    const headers = renderCatalogHeaders(integration, connection, verification.headers, 'proxy.verification.headers');
    for (const written of endpoints) {
      const label = `${method} ${written}`;
      const endpoint = renderCatalogPath(integration, connection, written, 'proxy.verification.endpoints');
      const body = renderCatalogBody(integration, connection, verification.data, 'proxy.verification.data');
      let answer: number | string;
      // The call's own limit, ahead of the integration's: its expiry is told apart from any other failure.
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await performHttpRequest(target, connection, { method, endpoint, headers, body, signal });
        if (response.ok) return { status: 'verified', endpoint: written };
        answer = response.status;
      } catch (error) {
        if (signal.aborted) answer = TIMED_OUT;
        else if (error instanceof WorkerError && NO_ANSWER.has(error.code)) answer = error.code;
        else throw error;
      }
      last = refusal(who, label, answer, timeoutMs);
      if (last.retryable) gaveNoVerdict = last;
    }
  } catch (error) {
    if (error instanceof WorkerError && UNBUILDABLE.has(error.code)) {
      throw new WorkerError(
        'invalid_connection_config',
        `The verification request of ${who} cannot be made for this Connection: ${error.message}`,
      );
    }
    throw error;
  }
  // A refusal is a verdict; a call that got none (with no refusal elsewhere) says to try again.
  throw last && !last.retryable ? last : (gaveNoVerdict ?? last ?? new Error('no verification endpoint'));
}

/** The answer of a call that got none within its time limit. */
const TIMED_OUT = 'timeout';
/** What an httpRequest fails with when the provider gave no answer to judge by. */
const NO_ANSWER: ReadonlySet<string> = new Set(['http_request_failed', 'provider_rate_limited', 'http_response_too_large']);
/** What it fails with when the request cannot be built from the Connection (a missing or bad per-tenant value). */
const UNBUILDABLE: ReadonlySet<string> = new Set(['http_request_invalid', 'http_host_not_allowed']);

function refusal(who: string, label: string, answer: number | string, timeoutMs: number): CredentialsRefused {
  const noVerdict = typeof answer === 'string' || answer === 408 || answer === 429 || answer >= 500;
  if (!noVerdict) {
    return new CredentialsRefused(
      label,
      answer,
      `${who} refused these credentials: its verification request ${label} answered HTTP ${answer}. Check them and try again; nothing was stored`,
    );
  }
  const what =
    typeof answer === 'number'
      ? `answered HTTP ${answer}`
      : answer === TIMED_OUT
        ? `got no answer within ${timeoutMs} ms (NANGO_VERIFICATION_TIMEOUT_MS)`
        : `could not be sent (${answer})`;
  return new CredentialsRefused(
    label,
    answer,
    `${who} could not check these credentials: its verification request ${label} ${what}. Nothing was stored; try again`,
    true,
  );
}
