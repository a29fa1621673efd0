import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import type { ProviderCatalog } from '../../src/providers/Provider';

/**
 * Catalog entries in the shapes Nango's catalog gives these modes (written here, not copied): a TBA entry that is an
 * alias of an OAuth 2 one (netsuite-tba of netsuite), the AWS SigV4 proxy, an unauthenticated API without a base URL.
 */
const CATALOG = `
tenant-oauth:
  auth_mode: OAUTH2
  authorization_url: https://\${connectionConfig.accountId}.example.com/authorize
  token_url: https://\${connectionConfig.accountId}.example.com/token
  default_scopes: [rest]
  connection_config:
    accountId: { type: string, title: Account ID, pattern: '^[a-zA-Z0-9-_]+$' }
  proxy:
    base_url: https://\${connectionConfig.accountId}.api.example.com/services/rest
tenant-tba:
  alias: tenant-oauth
  auth_mode: TBA
aws-proxy:
  auth_mode: AWS_SIGV4
  connection_config:
    region: { type: string, optional: true }
    service: { type: string, automated: true }
  proxy:
    base_url: https://\${connectionConfig.service}.\${connectionConfig.region}.amazonaws.com
open-api:
  auth_mode: NONE
`;

describe('integrations.yaml: the TBA, AWS_SIGV4 and NONE modes', () => {
  let dir: string;
  let catalog: ProviderCatalog;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nango-signing-config-'));
    const file = path.join(dir, 'providers.yaml');
    writeFileSync(file, CATALOG);
    catalog = loadProviderCatalog({ file });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const parse = (text: string): IntegrationsConfig =>
    parseIntegrationsConfig(text, {
      sourceName: 'integrations.yaml',
      integrationsDir: dir,
      env: { AWS_KEY: 'AKIA', AWS_SECRET: 'shh' },
      fileExists: () => true,
      listDir: () => [],
      providers: catalog,
    });
  const problemsOf = (text: string): string[] => {
    try {
      parse(text);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError, but the config loaded');
  };

  it('compiles catalog entries of each mode: TBA through its alias, AWS with its settings, NONE with a base URL', () => {
    const config = parse(`
integrations:
  ns:
    provider: tenant-tba
    oauth: { client_id: ck, client_secret: cs }
  s3:
    provider: aws-proxy
    aws_sigv4: { service: s3, access_key_id: '\${AWS_KEY}', secret_access_key: '\${AWS_SECRET}', default_region: eu-west-3 }
  open:
    provider: open-api
    base_url: https://open.example.com
`);
    const ns = config.integrations.get('ns');
    expect(ns).toMatchObject({ authMode: 'TBA', oauth: { clientId: 'ck', clientSecret: 'cs', tokenUrl: undefined } });
    expect(ns?.baseUrl.source).toBe('https://${additionalConfig.accountId}.api.example.com/services/rest');
    expect(config.integrations.get('s3')).toMatchObject({
      authMode: 'AWS_SIGV4',
      awsSigV4: {
        service: 's3',
        defaultRegion: 'eu-west-3',
        accessKeyId: 'AKIA',
        secretAccessKey: 'shh',
        stsEndpoint: undefined,
        sessionDurationS: 3600,
      },
    });
    expect(config.integrations.get('s3')?.baseUrl.source).toBe(
      'https://${additionalConfig.service}.${additionalConfig.region}.amazonaws.com',
    );
    expect(config.integrations.get('open')).toMatchObject({ authMode: 'NONE' });
    expect(config.integrations.get('open')?.awsSigV4).toBeUndefined();
  });

  it('says what an AWS_SIGV4 integration lacks or has wrong, by path, without a value', () => {
    expect(
      problemsOf(`
integrations:
  bare:
    provider: aws-proxy
  wrong:
    provider: aws-proxy
    aws_sigv4:
      service: S3 Buckets
      access_key_id: AKIA
      secret_access_key: \${AWS_SECRET}
      default_region: Europe
      sts_endpoint: ftp://sts.example.com
      session_duration_s: 60
  misplaced:
    provider: open-api
    base_url: https://open.example.com
    aws_sigv4: { service: s3, access_key_id: a, secret_access_key: b }
`),
    ).toEqual([
      "integrations.bare: an AWS_SIGV4 integration needs aws_sigv4: service, and the access_key_id and secret_access_key of the AWS principal that assumes your customers' roles",
      'integrations.wrong.aws_sigv4.service: must match pattern "^[a-z0-9-]{1,64}$"',
      'integrations.wrong.aws_sigv4.default_region: must match pattern "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"',
      'integrations.wrong.aws_sigv4.session_duration_s: must be at least 900',
      'integrations.misplaced.aws_sigv4: is for AWS_SIGV4 integrations, not NONE',
    ]);
    expect(
      problemsOf(`
integrations:
  ftp:
    provider: aws-proxy
    aws_sigv4: { service: s3, access_key_id: a, secret_access_key: b, sts_endpoint: 'ftp://sts.example.com' }
`),
    ).toEqual(['integrations.ftp.aws_sigv4.sts_endpoint: must be an http or https URL']);
  });

  it('asks a NONE entry without a base URL for one', () => {
    expect(problemsOf('integrations:\n  open:\n    provider: open-api\n')).toEqual(['integrations.open: base_url is required']);
  });
});
