import { join } from 'node:path';
import { startApi, type ApiHarness } from '../helpers/apiHarness';

// GET /scripts/config lists syncs with their schedule and models beside the actions (the dashboard's integration page
// and Nango's clients read both).
const YAML = `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: https://keyed.example.test
    headers:
      X-Api-Key: \${api_key}
    actions:
      behaves:
    syncs:
      issues:
        models:
          Issue:
            type: object
            properties: { id: { type: string }, title: { type: string } }
            required: [id, title]
        frequency: every 30 minutes
        sync_type: full
        track_deletes: true
  onlySyncs:
    auth_mode: API_KEY
    base_url: https://only.example.test
    headers:
      X-Api-Key: \${api_key}
`;

describe('GET /scripts/config', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ yaml: YAML, integrationsDir: join(__dirname, '..', 'fixtures', 'operations') });
  });
  afterAll(() => api?.stop());

  it('lists a sync with its schedule, settings and model schemas, and leaves out integrations with neither', async () => {
    const { status, body } = await api.call('/scripts/config');
    expect(status).toBe(200);
    expect(body.map((entry: { providerConfigKey: string }) => entry.providerConfigKey)).toEqual(['keyed']);
    expect(body[0].actions.map((action: { name: string }) => action.name)).toEqual(['behaves']);
    expect(body[0].syncs).toEqual([
      expect.objectContaining({
        name: 'issues',
        type: 'sync',
        runs: 'every 30 minutes',
        auto_start: true,
        sync_type: 'full',
        track_deletes: true,
        returns: ['Issue'],
        json_schema: {
          definitions: {
            Issue: {
              type: 'object',
              properties: { id: { type: 'string' }, title: { type: 'string' } },
              required: ['id', 'title'],
            },
          },
        },
      }),
    ]);
  });
});
