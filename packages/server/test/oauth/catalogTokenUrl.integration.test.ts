/**
 * A provider of the catalog whose token URL is per tenant (`https://${connectionConfig.subdomain}.zendesk.com/…`):
 * the refresher fills it from the Connection's additionalConfig, against a real authorization server, and refuses a
 * value that would move the request to another host.
 */
import dns from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../../src/config/types';
import { normaliseCredentials } from '../../src/authModes/normaliseCredentials';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import type { ConnectionStore } from '../../src/store/Store';
import { CLIENT_ID, CLIENT_SECRET } from './authServer';
import { failure, OLD, useRefresherHarness } from './refresherHarness';

jest.setTimeout(20_000);

const h = useRefresherHarness();
// A placeholder fills one label of a host whose domain the catalog fixes, never the whole host; names under
// `tenant.test` are answered with this machine, where the authorization server listens.
const lookup = dns.lookup;
beforeAll(() => {
  const tenantLookup = (host: string, options: unknown, callback: unknown) => {
    if (!host.endsWith('.tenant.test')) return (lookup as (...args: unknown[]) => void)(host, options, callback);
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    return all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4);
  };
  (dns as { lookup: unknown }).lookup = tenantLookup;
});
afterAll(() => {
  dns.lookup = lookup;
});

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
  authorization_url: http://\${connectionConfig.subdomain}.tenant.test:${port}/authorize
  token_url: http://\${connectionConfig.subdomain}.tenant.test:${port}/token
  authorization_method: header
  proxy:
    base_url: https://\${connectionConfig.subdomain}.tenant.test/api
`,
  );
  const yaml = `integrations:\n  acme:\n    provider: tenant\n    oauth:\n      client_id: ${CLIENT_ID}\n      client_secret: ${CLIENT_SECRET}\n`;
  const providers = loadProviderCatalog({ file });
  const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: dir, providers });
  return config.integrations.get('acme') as IntegrationConfig;
}

function register(store: ConnectionStore, subdomain: string) {
  const credentials = normaliseCredentials('acme', 'OAUTH2', { ...OLD, expires_in: 60 });
  return store.insert({ integration: 'acme', userId: 'u1', credentials, additionalConfig: { subdomain } });
}

describe('a per-tenant token URL from the catalog', () => {
  it("is filled from the Connection's additionalConfig, with client credentials as the provider wants them", async () => {
    const integration = tenantIntegration();
    expect(integration.oauth?.tokenUrlTemplate?.source).toBe(
      `http://\${additionalConfig.subdomain}.tenant.test:${new URL(h.auth.tokenUrl).port}/token`,
    );
    const { store, refresher } = await h.worker();
    const fresh = await refresher.ensureFresh(integration, await register(store, 'acme'));
    expect(fresh.credentials['access_token']).not.toBe(OLD.access_token);
    expect((await h.auth.calls()).map((call) => [call.grantType, call.clientAuth])).toEqual([['refresh_token', 'basic']]);
  });

  it('refuses a host value that could move the request elsewhere, naming the placeholder', async () => {
    const { store, refresher } = await h.worker();
    const connection = await register(store, 'evil.example/x?');
    const error = await failure(refresher.ensureFresh(tenantIntegration(), connection, { force: true }));
    expect(error.code).toBe('refresh_not_possible');
    expect(error.message).toContain('${additionalConfig.subdomain}');
    expect(await h.auth.calls()).toEqual([]);
  });
});
