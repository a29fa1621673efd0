import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Provider } from '../../src/providers/Provider';
import { APP_ID, APP_KEY } from '../authModes/githubMock';
import { catalogOf } from '../helpers/apiHarness';
import { launchChromium } from '../helpers/chromium';
import { startHarness, type Harness } from '../helpers/harness';

// The dashboard's "Add an integration" form in Chromium, per auth mode: an OAuth 2 integration must be given its
// client (and shows the callback URL to register); an OAUTH2_CC one may be made without one (each Connection may
// bring its own client), has no callback URL, and refuses a client id without its secret.

const SHOTS = process.env['NANGO_TEST_SCREENSHOTS'] ?? join(tmpdir(), 'nango-dashboard');
const SECRET_KEY = 'dashboard-new-integration-secret';

jest.setTimeout(60_000);

describe('the dashboard adds integrations of each auth mode', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness({
      yaml: 'integrations: {}\n',
      catalog: catalogOf(
        {
          name: 'acme-cc',
          display_name: 'Acme (client credentials)',
          auth_mode: 'OAUTH2_CC',
          token_url: 'https://auth.acme.test/oauth/token',
          proxy: { base_url: 'https://api.acme.test' },
        } as Provider,
        {
          name: 'acme-github-app',
          display_name: 'Acme (GitHub App)',
          auth_mode: 'APP',
          authorization_url: '${connectionConfig.appPublicLink}/installations/new',
          token_url: 'https://api.github.test/app/installations/${connectionConfig.installation_id}/access_tokens',
          proxy: { base_url: 'https://api.github.test' },
        } as Provider,
        {
          name: 'acme-ghapp-oauth',
          display_name: 'Acme (GitHub App with OAuth)',
          auth_mode: 'CUSTOM',
          authorization_url: '${connectionConfig.appPublicLink}/installations/new',
          token_url: 'https://github.test/login/oauth/access_token',
          token_urls: {
            APP: 'https://api.github.test/app/installations/${connectionConfig.installation_id}/access_tokens',
            OAUTH2: 'https://github.test/login/oauth/access_token',
          },
          proxy: { base_url: 'https://api.github.test' },
        } as Provider,
        {
          name: 'acme-oauth',
          display_name: 'Acme (OAuth)',
          auth_mode: 'OAUTH2',
          authorization_url: 'https://auth.acme.test/authorize',
          token_url: 'https://auth.acme.test/oauth/token',
          proxy: { base_url: 'https://api.acme.test' },
        } as Provider,
      ),
      port: 0,
      secretKey: SECRET_KEY,
    });
    base = h.worker.httpUrl as string;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    await page.goto(`${base}/dashboard/integrations/new`);
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    await page.getByLabel('Secret key').fill(SECRET_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/dashboard/integrations/new`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const integration = async (key: string) => {
    const reply = await fetch(`${base}/integrations/${key}?include=credentials`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
    });
    return { status: reply.status, body: (await reply.json()) as { data?: { credentials?: Record<string, unknown> | null } } };
  };
  const pick = async (name: string, key: string) => {
    await page.goto(`${base}/dashboard/integrations/new`);
    await page.getByLabel('Search the catalog').fill(name);
    await page.getByRole('radio', { name: new RegExp(name) }).check();
    await page.getByLabel('Unique key').fill(key);
  };

  it('requires the client of an OAuth 2 integration, with the callback URL to register', async () => {
    await pick('acme-oauth', 'oauth');
    await page.getByText('/oauth/callback').first().waitFor();
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.locator('#client-id-error').waitFor();
    expect(await page.locator('#client-id-error').textContent()).toContain('Enter the client id');
    expect((await integration('oauth')).status).toBe(404);
  });

  it('makes an OAUTH2_CC integration without a client: no callback URL, the client marked optional', async () => {
    await pick('acme-cc', 'cc-open');
    await page.getByText('leave it blank if each Connection brings its own client').waitFor();
    expect(await page.getByText('/oauth/callback').count()).toBe(0);
    await shoot('new-integration-oauth2-cc');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.waitForURL(`${base}/dashboard/integrations/cc-open`);
    const made = await integration('cc-open');
    expect(made.status).toBe(200);
    expect(made.body.data?.credentials ?? null).toBeNull();
  });

  it('refuses an OAUTH2_CC client id without its secret, then makes it with both', async () => {
    await pick('acme-cc', 'cc-shared');
    await page.getByLabel('Client id').fill('shared-client');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.locator('#client-secret-error').waitFor();
    expect(await page.locator('#client-secret-error').textContent()).toContain('or leave both blank');
    expect((await integration('cc-shared')).status).toBe(404);
    await page.getByLabel('Client secret').fill('shared-secret');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.waitForURL(`${base}/dashboard/integrations/cc-shared`);
    expect((await integration('cc-shared')).body.data?.credentials).toMatchObject({
      type: 'OAUTH2_CC',
      client_id: 'shared-client',
      client_secret: 'shared-secret',
    });
    expect(problems).toEqual([]);
  });

  it('makes a GitHub App (APP) integration from its id, link and private key, naming a key that is not one', async () => {
    await pick('acme-github-app', 'gh-app');
    await page.getByLabel('App ID').fill(APP_ID);
    await page.getByLabel('App public link').fill('https://github.com/apps/acme-app');
    await page.getByLabel('App private key (PEM)').fill('my-key');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.locator('#app-private-key-error').waitFor();
    expect(await page.locator('#app-private-key-error').textContent()).toContain('Paste the app');
    // Looks like PEM to the form; the server reads it and names the field.
    await page.getByLabel('App private key (PEM)').fill('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.locator('#app-private-key-error').getByText('not a PEM private key').waitFor();
    expect((await integration('gh-app')).status).toBe(404);
    await page.getByLabel('App private key (PEM)').fill(APP_KEY);
    await shoot('new-integration-github-app');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.waitForURL(`${base}/dashboard/integrations/gh-app`);
    const made = await fetch(`${base}/oauth/connect/gh-app?connection_id=ann`, { redirect: 'manual' });
    expect(made.headers.get('location')).toMatch(/^https:\/\/github\.com\/apps\/acme-app\/installations\/new\?state=/);
    expect(problems).toEqual([]);
  });

  it('makes a GitHub App with OAuth (CUSTOM) integration from its OAuth client and the app, the key never shown', async () => {
    await pick('acme-ghapp-oauth', 'gh-custom');
    await page.getByLabel('Client id').fill('Iv1.client');
    await page.getByLabel('Client secret').fill('custom-client-secret');
    await page.getByLabel('App ID').fill(APP_ID);
    await page.getByLabel('App public link').fill('https://github.com/apps/acme-custom');
    await page.getByLabel('App private key (PEM)').fill('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.locator('#app-private-key-error').getByText('not a PEM private key').waitFor();
    expect((await integration('gh-custom')).status).toBe(404);
    await page.getByLabel('App private key (PEM)').fill(APP_KEY);
    await shoot('new-integration-github-app-oauth');
    await page.getByRole('button', { name: 'Create the integration' }).click();
    await page.waitForURL(`${base}/dashboard/integrations/gh-custom`);
    const start = await fetch(`${base}/oauth/connect/gh-custom?connection_id=ann`, { redirect: 'manual' });
    const location = new URL(String(start.headers.get('location')));
    expect(location.origin + location.pathname).toBe('https://github.com/apps/acme-custom/installations/new');
    expect(location.searchParams.get('client_id')).toBe('Iv1.client');
    expect(await page.content()).not.toContain(String(APP_KEY.split('\n')[2]));
    expect(problems).toEqual([]);
  });

  /** A full-page screenshot of the current page, to look at. */
  const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
});
