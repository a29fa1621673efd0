import { randomUUID } from 'node:crypto';
import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import type { Logger } from '../logger';
import type { OperationLog } from '../operationLog/OperationLog';
import { catalogRequestTarget, renderCatalogBody, renderCatalogHeaders, renderCatalogPath } from '../outbound/catalogRequest';
import { performHttpRequest } from '../outbound/performHttpRequest';
import { parsePostConnection, valueAt, type PostConnectionStep } from '../providers/postConnectionSteps';

/** Where a post-connection run is recorded, and how long each of its requests may take. */
export interface PostConnectionRun {
  readonly log: OperationLog;
  /** The connect operation the run is part of. */
  readonly parentId?: string | undefined;
  readonly endUserId?: string | undefined;
  readonly timeoutMs: number;
  readonly logger?: Logger | undefined;
}

/** The error code a failed post-connection operation ends with. */
export const POST_CONNECTION_FAILED = 'post_connection_failed';

/**
 * Runs the integration's catalog `post_connection` steps (providers/postConnectionSteps.ts) for a Connection whose
 * credentials were just got (the OAuth callback, the /api-auth and /auth routes), before it is saved, so that it is
 * saved once with its config complete and the `auth` webhook finds it so. Each request is made as an action's
 * httpRequest is (the mode's credentials, the host rules of base_url). A failure does not stop the Connection: it is
 * saved with what the earlier steps stored, and the run is a failed `connection` operation named `post_connection`
 * (code `post_connection_failed`, the step, the request and the provider's answer status or what is missing in the
 * answer), which the Connection's page in the dashboard shows. Never throws.
 * @param made the Connection as it will be saved: its user id, credentials and config
 * @returns the config values to add (all the steps', or those of the steps before a failure)
 */
export async function runPostConnection(
  integration: IntegrationConfig,
  made: { readonly userId: string; readonly credentials: StoredCredentials; readonly config: Readonly<Record<string, unknown>> },
  run: PostConnectionRun,
): Promise<Record<string, unknown>> {
  const { steps, problems } = parsePostConnection(integration.provider?.post_connection);
  if (steps.length === 0 && problems.length === 0) return {};
  const now = new Date().toISOString();
  const connection: NangoConnection = {
    uuid: randomUUID(),
    integration: integration.name,
    userId: made.userId,
    dateCreated: now,
    lastModified: now,
    additionalConfig: { ...made.config },
    authorization: 'ok',
    credentials: made.credentials,
  };
  const operation = run.log.start({
    kind: 'connection',
    name: 'post_connection',
    integration: integration.name,
    connectionId: connection.userId,
    endUserId: run.endUserId,
    parentId: run.parentId,
    secrets: connection.credentials,
  });
  const added: Record<string, unknown> = {};
  try {
    if (problems.length > 0) throw new StepFailure(`the catalog's post_connection is not valid: ${problems.join('; ')}`);
    for (const [index, step] of steps.entries()) {
      const current = { ...connection, additionalConfig: { ...connection.additionalConfig, ...added } };
      const values = await runStep(integration, current, step, index, run.timeoutMs);
      Object.assign(added, values);
      operation.message('info', `step ${index + 1} stored ${Object.keys(values).join(', ')}`);
    }
    operation.set({ stored: Object.keys(added).length });
    operation.end('success');
  } catch (error) {
    const message = error instanceof StepFailure || error instanceof WorkerError ? error.message : 'unexpected error';
    if (!(error instanceof StepFailure || error instanceof WorkerError)) {
      run.logger?.error({ err: error, integration: integration.name }, 'unexpected error in a post-connection step');
    }
    run.logger?.warn(
      { integration: integration.name, connectionId: connection.userId, reason: message },
      'post-connection step failed',
    );
    operation.set({ stored: Object.keys(added).length });
    operation.end('failed', {
      code: POST_CONNECTION_FAILED,
      message: `${message}; the Connection was kept${Object.keys(added).length > 0 ? ` with ${Object.keys(added).join(', ')}` : ''}`,
    });
  }
  return added;
}

/** A step that could not store its values: what went wrong, without a credential or a value. */
class StepFailure extends Error {}

async function runStep(
  integration: IntegrationConfig,
  connection: NangoConnection,
  step: PostConnectionStep,
  index: number,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const at = `post_connection[${index}]`;
  let answer: unknown = connection.additionalConfig;
  let source = 'the Connection config';
  if (step.endpoint !== undefined) {
    const label = `${step.method} ${step.endpoint}`;
    source = `the answer of ${label}`;
    const target = catalogRequestTarget(integration, connection, step.baseUrl, timeoutMs + 1_000, `${at}.base_url`);
    const headers = renderCatalogHeaders(integration, connection, step.headers, `${at}.headers`);
    const endpoint = renderCatalogPath(integration, connection, step.endpoint, `${at}.endpoint`);
    const body = renderCatalogBody(integration, connection, step.data, `${at}.data`);
    const signal = AbortSignal.timeout(timeoutMs);
    let response;
    try {
      response = await performHttpRequest(target, connection, { method: step.method, endpoint, headers, body, signal });
    } catch (error) {
      if (signal.aborted) throw new StepFailure(`step ${index + 1}: ${label} got no answer within ${timeoutMs} ms`);
      throw error;
    }
    if (!response.ok) throw new StepFailure(`step ${index + 1}: ${label} answered HTTP ${response.status}`);
    answer = response.json;
    if (answer === undefined) throw new StepFailure(`step ${index + 1}: ${label} answered with a body that is not JSON`);
  }
  const values: Record<string, unknown> = {};
  for (const stored of step.store) {
    const value = valueAt(answer, stored.segments);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      const found = value === undefined || value === null ? 'nothing' : Array.isArray(value) ? 'a list' : 'an object';
      throw new StepFailure(`step ${index + 1}: ${source} has ${found} at ${stored.path} (for ${stored.key})`);
    }
    if (!stored.pattern) {
      values[stored.key] = value;
      continue;
    }
    const match = stored.pattern.exec(String(value));
    if (!match) {
      throw new StepFailure(
        `step ${index + 1}: ${source}'s ${stored.path} does not match the pattern ${stored.pattern.source} (for ${stored.key})`,
      );
    }
    values[stored.key] = match[1] ?? match[0];
  }
  return values;
}
