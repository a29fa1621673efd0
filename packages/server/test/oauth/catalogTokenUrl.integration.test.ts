/**
 * A provider of the catalog whose token URL is per tenant (`https://${connectionConfig.subdomain}.zendesk.com/…`):
 * the refresher fills it from the Connection's additionalConfig, against a real authorization server, and refuses a
 * value that would move the request to another host.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../../src/config/types';
import { normaliseCredentials } from '../../src/credentials/normaliseCredentials';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import type { ConnectionStore } from '../../src/store/ConnectionStore';
import { CLIENT_ID, CLIENT_SECRET } from './authServer';
import { failure, OLD, useRefresherHarness } from './refresherHarness';

jest.setTimeout(20_000);

const h = useRefresherHarness();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'catalog-token-url-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An integration of the `tenant` provider, whose token URL names the host per Connection. */
function tenantIntegration(): IntegrationConfig {
  const port = new URL(h.auth.tokenUrl).port;
  const file = join(dir, 'providers.yaml');
  writeFileSync(
    file,
    `tenant:
  display_name: Tenant
  auth_mode: OAUTH2
  authorization_url: http://\${connectionConfig.host}:${port}/authorize
  token_url: http://\${connectionConfig.host}:${port}/token
  authorization_method: header
  proxy:
    base_url: https://\${connectionConfig.host}/api
`,
  );
  const yaml = `integrations:\n  acme:\n    provider: tenant\n    oauth:\n      client_id: ${CLIENT_ID}\n      client_secret: ${CLIENT_SECRET}\n`;
  const providers = loadProviderCatalog({ file });
  const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: dir, providers });
  return config.integrations.get('acme') as IntegrationConfig;
}

function register(store: ConnectionStore, host: string) {
  const credentials = normaliseCredentials('acme', 'OAUTH2', { ...OLD, expires_in: 60 });
  return store.insert({ integration: 'acme', userId: 'u1', credentials, additionalConfig: { host } });
}

describe('a per-tenant token URL from the catalog', () => {
  it("is filled from the Connection's additionalConfig, with client credentials as the provider wants them", async () => {
    const integration = tenantIntegration();
    expect(integration.oauth?.tokenUrlTemplate?.source).toBe(
      `http://\${additionalConfig.host}:${new URL(h.auth.tokenUrl).port}/token`,
    );
    const { store, refresher } = h.worker();
    const fresh = await refresher.ensureFresh(integration, register(store, '127.0.0.1'));
    expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
    expect((await h.auth.calls()).map((call) => [call.grantType, call.clientAuth])).toEqual([['refresh_token', 'basic']]);
  });

  it('refuses a host value that could move the request elsewhere, naming the placeholder', async () => {
    const { store, refresher } = h.worker();
    const connection = register(store, 'evil.example/x?');
    const error = await failure(refresher.ensureFresh(tenantIntegration(), connection, { force: true }));
    expect(error.code).toBe('refresh_not_possible');
    expect(error.message).toContain('${additionalConfig.host}');
    expect(await h.auth.calls()).toEqual([]);
  });
});
