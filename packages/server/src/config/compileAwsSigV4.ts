import type { AuthMode } from '@nangohq/protocol';
import type { ConfigProblem } from '../ConfigError';
import type { AwsSigV4Settings } from './types';

/** `aws_sigv4:` as the schema has accepted it. */
export interface AwsSigV4Yaml {
  service: string;
  default_region?: string;
  access_key_id: string;
  secret_access_key: string;
  sts_endpoint?: string;
  external_id?: string;
  session_duration_s?: number;
}

/** `aws_sigv4.session_duration_s`: an hour, STS's own default for AssumeRole. */
export const DEFAULT_SESSION_DURATION_S = 3600;

/**
 * The AWS SigV4 settings of an integration: required for AWS_SIGV4 (nothing could be signed without them), refused
 * for any other mode (they would be silently unused). Problems name the key, never a value.
 */
export function compileAwsSigV4(
  authMode: AuthMode,
  yaml: AwsSigV4Yaml | undefined,
  at: (...keys: string[]) => string[],
  problems: ConfigProblem[],
): AwsSigV4Settings | undefined {
  if (authMode !== 'AWS_SIGV4') {
    if (yaml !== undefined) problems.push({ path: at('aws_sigv4'), message: `is for AWS_SIGV4 integrations, not ${authMode}` });
    return undefined;
  }
  if (yaml === undefined) {
    problems.push({
      path: at(),
      message:
        "an AWS_SIGV4 integration needs aws_sigv4: service, and the access_key_id and secret_access_key of the AWS principal that assumes your customers' roles",
    });
    return undefined;
  }
  const endpoint = yaml.sts_endpoint;
  if (endpoint !== undefined && !/^https?:$/.test(new URL(endpoint).protocol)) {
    problems.push({ path: at('aws_sigv4', 'sts_endpoint'), message: 'must be an http or https URL' });
  }
  return Object.freeze({
    service: yaml.service,
    defaultRegion: yaml.default_region,
    accessKeyId: yaml.access_key_id,
    secretAccessKey: yaml.secret_access_key,
    stsEndpoint: endpoint,
    externalId: yaml.external_id,
    sessionDurationS: yaml.session_duration_s ?? DEFAULT_SESSION_DURATION_S,
  });
}
