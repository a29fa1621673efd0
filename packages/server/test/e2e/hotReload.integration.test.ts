import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, waitFor, type Harness } from '../helpers/harness';

const action = (value: string) =>
  `import { NangoAction } from '@nangohq/action';\nexport default class V extends NangoAction { override async executeAction() { return '${value}'; } }\n`;
const yaml = (actions: string[]) =>
  `integrations:\n  live:\n    auth_mode: API_KEY\n    base_url: https://live.example.test\n    headers:\n      X-Key: \${api_key}\n    actions:\n${actions.map((a) => `      ${a}:\n`).join('')}`;

describe('hot reload (NANGO_WATCH)', () => {
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-watch-'));
    mkdirSync(join(dir, 'live'));
    writeFileSync(join(dir, 'live', 'version.action.ts'), action('v1'));
    h = await startHarness({ yaml: yaml(['version']), integrationsDir: dir, watch: true });
    await h.nango.registerConnection('live', '1', { api_key: 'k' });
  });
  afterEach(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const result = (name: string) =>
    h.nango.triggerAction('live', name, '1', {}).then(
      (r) => r.returnValue as string,
      (e: { code: string }) => e.code,
    );

  it('picks up an edited action file without a restart', async () => {
    expect(await result('version')).toBe('v1');
    writeFileSync(join(dir, 'live', 'version.action.ts'), action('v2'));
    await waitFor(async () => (await result('version')) === 'v2', 5_000, 'the edited action');
  });

  it('picks up a new action declared in integrations.yaml', async () => {
    expect(await result('added')).toBe('unknown_action');
    writeFileSync(join(dir, 'live', 'added.action.ts'), action('new'));
    writeFileSync(h.yamlPath, yaml(['version', 'added']));
    await waitFor(async () => (await result('added')) === 'new', 5_000, 'the new action');
  });

  it('keeps the last good configuration when the file is broken, and logs why', async () => {
    writeFileSync(h.yamlPath, 'integrations:\n  live:\n    auth_mode: NOPE\n');
    const reloadError = () => h.logs.find((l) => l.msg?.includes('keeping the previous configuration'));
    await waitFor(() => reloadError() !== undefined, 5_000, 'the reload error');
    expect(JSON.stringify(reloadError()?.['problems'])).toContain('integrations.live.auth_mode: must be one of');
    expect(await result('version')).toBe('v1');
  });
});
