import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { migrateConfig, runMigrateConfig } from '../../src/commands/migrateConfig';
import { loadIntegrationsConfig, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig, IntegrationsConfig } from '../../src/config/types';
import { renderTemplate } from '../../src/config/renderTemplate';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { resolveWorkerSettings } from '../../src/settings';

const FOLDER = path.resolve(__dirname, '../fixtures/nango-integrations-2022');
const ENV = { SLACK_CLIENT_SECRET: 's1', MS_TEAMS_CLIENT_SECRET: 's2', WEATHER_APP_KEY: 'k', CRM_CLIENT_SECRET: 's3' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'migrate-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What matters of an integration at run time, comparable between two loads. */
function essence(integration: IntegrationConfig | undefined) {
  if (!integration) return undefined;
  const { baseUrl, headers, queryParams, oauth, actions, provider, authMode, logLevel, httpTimeoutMs } = integration;
  const parts = (template: { parts: readonly unknown[] }) => template.parts;
  return {
    authMode,
    logLevel,
    httpTimeoutMs,
    baseUrl: parts(baseUrl),
    headers: [...headers].map(([name, value]) => [name, parts(value)]),
    queryParams: [...queryParams].map(([name, value]) => [name, parts(value)]),
    oauth: oauth && { ...oauth, tokenUrlTemplate: undefined },
    actions: [...actions.keys()],
    provider: provider && { ...provider, name: undefined, alias: undefined },
  };
}

describe('nango-server migrate-config', () => {
  it('writes an integrations.yaml (and providers.yaml) in our format that loads into the same configuration', () => {
    const out = path.join(dir, 'integrations.yaml');
    const err: string[] = [];
    const code = runMigrateConfig([FOLDER, '--out', out], process.stdout, { write: (text: string) => err.push(text) } as never);
    expect({ code, err }).toEqual({
      code: 0,
      err: [`wrote ${out}\n`, `wrote ${path.join(dir, 'providers.yaml')}\n`],
    });
    const direct: IntegrationsConfig = loadIntegrationsConfig({
      yamlPath: path.join(FOLDER, 'integrations.yaml'),
      integrationsDir: FOLDER,
      env: ENV,
    });
    const providers = loadProviderCatalog({ file: path.join(dir, 'providers.yaml') });
    const migrated = loadIntegrationsConfig({ yamlPath: out, integrationsDir: FOLDER, env: ENV, providers });
    expect(migrated.legacy).toBeUndefined();
    expect([...migrated.integrations.keys()]).toEqual([...direct.integrations.keys()]);
    for (const name of direct.integrations.keys()) {
      expect(essence(migrated.integrations.get(name))).toEqual(essence(direct.integrations.get(name)));
    }
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('client_secret: ${SLACK_CLIENT_SECRET}'); // kept as a reference, not its value
    expect(text).toContain('# integrations.crm.auth: becomes provider crm-2022');
  });

  it('refuses to overwrite, and prints to stdout without --out', () => {
    const out = path.join(dir, 'integrations.yaml');
    writeFileSync(out, 'mine\n');
    const err: string[] = [];
    const sink = { write: (text: string) => err.push(text) } as never;
    expect(runMigrateConfig([FOLDER, '--out', out], sink, sink)).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(dir, 'providers.yaml'))).toBe(false);
    expect(err.join('')).toContain('exists; not overwritten');

    const printed: string[] = [];
    expect(runMigrateConfig([FOLDER], { write: (text: string) => printed.push(text) } as never, sink)).toBe(0);
    expect(printed.join('')).toContain('provider: microsoft-teams');
    expect(printed.join('')).toContain('# providers.yaml:\n# crm-2022:');
    expect(runMigrateConfig([], sink, sink)).toBe(2);
  });

  it('names what it cannot convert and exits 1', () => {
    writeFileSync(path.join(dir, 'integrations.yaml'), 'integrations:\n  a:\n    extends_blueprint: nosuch:v0\n');
    const migration = migrateConfig(dir);
    expect(migration.problems).toEqual([expect.stringMatching(/^integrations\.a\.extends_blueprint: unknown blueprint/)]);
    const sink = { write: () => true } as never;
    expect(runMigrateConfig([dir], sink, sink)).toBe(1);
  });
});

describe('pointing the worker at a 2022 folder alone', () => {
  it("takes the folder's integrations.yaml unless NANGO_INTEGRATIONS_YAML says otherwise", () => {
    expect(resolveWorkerSettings({ NANGO_INTEGRATIONS_DIR: FOLDER }).integrationsYaml).toBe(
      path.join(FOLDER, 'integrations.yaml'),
    );
    const given = path.join(dir, 'mine.yaml');
    expect(resolveWorkerSettings({ NANGO_INTEGRATIONS_DIR: FOLDER, NANGO_INTEGRATIONS_YAML: given }).integrationsYaml).toBe(
      given,
    );
    expect(resolveWorkerSettings({ NANGO_INTEGRATIONS_DIR: dir }).integrationsYaml).toBe(path.resolve('integrations.yaml'));
  });
});

describe('${raw.<field>}', () => {
  it("reads a field of the Connection's raw token response, never in base_url", () => {
    const yaml =
      'integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: https://a.example\n    headers:\n      X-Team: ${raw.team_id}\n';
    const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: dir, env: {} });
    const template = config.integrations.get('a')?.headers.get('X-Team');
    const connection = {
      userId: 'u1',
      credentials: { access_token: 't', raw: { team_id: 'T042' } },
    } as unknown as NangoConnection;
    expect(template && renderTemplate(template, connection)).toBe('T042');
    expect(() =>
      parseIntegrationsConfig('integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: https://${raw.team_id}.example\n', {
        sourceName: 'integrations.yaml',
        integrationsDir: dir,
        env: {},
      }),
    ).toThrow(/credential placeholder \$\{raw\.team_id\} is not allowed in base_url/);
  });
});
