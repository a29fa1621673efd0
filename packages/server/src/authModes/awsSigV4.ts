import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import { assumeRole, type TemporaryCredentials } from '../aws/assumeRole';
import { AWS_REGION_PATTERN } from '../config/integrationsSchema';
import type { AwsSigV4Settings, IntegrationConfig } from '../config/types';
import { awsSigV4Headers } from '../signing/awsSigV4';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/** An IAM role ARN: `arn:aws:iam::123456789012:role/Name` (other partitions, and role paths, included). */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = new RegExp(AWS_REGION_PATTERN);
/** STS's alphabet for RoleSessionName, which is at most 64 characters. */
const SESSION_NAME_CHARS = /[^\w+=,.@-]/g;

/**
 * AWS_SIGV4: the customer gives the ARN of a role that trusts the platform's AWS principal (and, optionally, a
 * region); the server assumes it with STS AssumeRole (signed with the integration's `aws_sigv4` keys, ExternalId when
 * one is set) and signs every request with the temporary credentials, SigV4, for the integration's service and the
 * Connection's region. The credentials expire (an hour by default): they are fetched at creation, so a role that
 * does not trust the platform stores nothing, and fetched again before they expire.
 */
export const awsSigV4: AuthModeHandler = {
  mode: 'AWS_SIGV4',
  requiredFields: ['role_arn'],
  normalise(raw, stored, problems) {
    if (typeof stored['role_arn'] === 'string' && !ROLE_ARN.test(stored['role_arn'])) {
      problems.push('role_arn must be an IAM role ARN: arn:aws:iam::<12-digit account id>:role/<role name>');
    }
    const region = raw['region'];
    if (region === undefined || region === null || region === '') return;
    if (typeof region !== 'string' || !REGION.test(region)) problems.push('region must be an AWS region name, e.g. us-east-1');
    else stored['region'] = region;
  },
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    const settings = integration.awsSigV4;
    if (!settings) {
      return {
        missing: `integration '${integration.name}' has no aws_sigv4 settings: set integrations.${integration.name}.aws_sigv4 (service, access_key_id, secret_access_key)`,
      };
    }
    const region = regionOf(integration, connection);
    if ('missing' in region) return region;
    const externalId = externalIdOf(connection, settings);
    const request = {
      endpoint: settings.stsEndpoint ?? `https://sts.${region.region}.amazonaws.com/`,
      region: region.region,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      roleArn: credentialField(integration, connection, 'role_arn'),
      roleSessionName: `nango-${connection.userId}`.replace(SESSION_NAME_CHARS, '-').slice(0, 64),
      externalId,
      durationSeconds: settings.sessionDurationS,
      timeoutMs,
    };
    return {
      request: async () => ({ ...(await assumeRole(request)) }),
      credentials: (previous, response) =>
        temporaryCredentials(previous, response as unknown as TemporaryCredentials, {
          region: region.region,
          service: settings.service,
          externalId,
        }),
    };
  },
  authorise(integration, connection, request) {
    const { credentials } = connection;
    const region = credentials['region'];
    const service = credentials['service'];
    if (typeof region !== 'string' || typeof service !== 'string') {
      credentialField(integration, connection, typeof region !== 'string' ? 'region' : 'service'); // throws, naming it
      return;
    }
    const sessionToken = credentials['session_token'];
    const signed = awsSigV4Headers({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: request.body,
      service,
      region,
      credentials: {
        accessKeyId: credentialField(integration, connection, 'access_key_id'),
        secretAccessKey: credentialField(integration, connection, 'secret_access_key'),
        sessionToken: typeof sessionToken === 'string' ? sessionToken : undefined,
      },
    });
    for (const [name, value] of Object.entries(signed)) setCredentialHeader(request.headers, name, value);
  },
};

/**
 * The region a Connection's requests are signed for: the one its credentials name (given when it was made), else its
 * config's `region`, else the integration's `default_region`.
 */
export function regionOf(integration: IntegrationConfig, connection: NangoConnection): { region: string } | GrantMissing {
  const given = connection.credentials['region'] ?? connection.additionalConfig['region'] ?? integration.awsSigV4?.defaultRegion;
  if (typeof given === 'string' && REGION.test(given)) return { region: given };
  const what = given === undefined ? 'has no region' : 'has a region that is not an AWS region name (e.g. us-east-1)';
  return {
    missing: `the Connection ${what}: give its region, or set integrations.${integration.name}.aws_sigv4.default_region`,
  };
}

/** The ExternalId of the Connection's AssumeRole: its config's own `external_id`, else the integration's, else none. */
function externalIdOf(connection: NangoConnection, settings: AwsSigV4Settings): string | undefined {
  const own = connection.additionalConfig['external_id'];
  return typeof own === 'string' && own !== '' ? own : settings.externalId;
}

/**
 * What a Connection stores, in the shape of Nango's AwsSigV4Credentials: the role, region and service it signs for,
 * the temporary keys, and `expires_at`, when the refresher fetches new ones; `raw` holds the keys as STS gave them.
 */
function temporaryCredentials(
  previous: StoredCredentials,
  sts: TemporaryCredentials,
  scope: { region: string; service: string; externalId: string | undefined },
): StoredCredentials {
  const keys = {
    access_key_id: sts.accessKeyId,
    secret_access_key: sts.secretAccessKey,
    session_token: sts.sessionToken,
    expires_at: sts.expiration,
  };
  return {
    role_arn: previous['role_arn'],
    region: scope.region,
    service: scope.service,
    ...(scope.externalId !== undefined && { external_id: scope.externalId }),
    ...keys,
    raw: keys,
  };
}
