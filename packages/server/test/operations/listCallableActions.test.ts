import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { WorkerError } from '../../src/errors';
import { NO_OPERATIONS } from '../../src/operationLog/OperationLog';
import type { DeployedFunctions } from '../../src/actions/DeployedFunctions';
import type { ActionConfig, IntegrationConfig } from '../../src/config/types';
import { listCallableActions, whyNotCallable } from '../../src/operations/listCallableActions';
import type { OperationContext } from '../../src/operations/OperationContext';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { NO_WEBHOOKS } from '../../src/webhooks/Webhooks';
import { testCipher } from '../helpers/testCipher';

const YAML = `
integrations:
  demo:
    auth_mode: API_KEY
    base_url: https://demo.example.test
    query_params:
      key: \${api_key}
    action_timeout_ms: 5000
    actions:
      post:
        description: Posts a message
        input:
          type: object
          properties: { msg: { type: string } }
          required: [msg]
      ping:
        input: { type: object }
        timeout_ms: 1000
      untyped:
      scalar:
        input: { type: string }
`;

/** Which actions of an integration are tools for a Connection (the MCP server's list), on a :memory: store. */
describe('listCallableActions', () => {
  let sqlite: SqliteStore;
  let context: OperationContext;

  beforeEach(async () => {
    sqlite = new SqliteStore(':memory:', testCipher());
    const integrations = parseIntegrationsConfig(YAML, {
      sourceName: 'integrations.yaml',
      integrationsDir: '/nowhere',
      fileExists: () => true,
    });
    context = {
      store: sqlite.connections,
      refresher: undefined as never,
      runner: undefined as never,
      idempotency: undefined as never,
      idempotencyTtlMs: 0,
      maxMetadataBytes: 65_536,
      integrations: () => integrations,
      webhooks: NO_WEBHOOKS,
      log: NO_OPERATIONS,
    };
    await sqlite.connections.insert({
      integration: 'demo',
      userId: 'u-1',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
  });
  afterEach(() => sqlite.close());

  it('lists the actions with an object input schema, in declaration order, with their description and time limit', async () => {
    expect(await listCallableActions(context, 'demo', 'u-1')).toEqual([
      {
        name: 'post',
        description: 'Posts a message',
        inputSchema: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
        timeoutMs: 5000,
        source: 'integrations.yaml',
      },
      { name: 'ping', description: 'ping', inputSchema: { type: 'object' }, timeoutMs: 1000, source: 'integrations.yaml' },
    ]);
  });

  it("adds the active deployment's actions with an object input schema; our own win a name clash", async () => {
    const deployedAction = (name: string, inputSchema?: Record<string, unknown>): ActionConfig => ({
      name,
      file: `/deployed/v1/demo/${name}.cjs`,
      timeoutMs: 5000,
      memoryMb: 256,
      ...(inputSchema && { inputSchema }),
    });
    const deployed = {
      actionNames: async (integration: string) => (integration === 'demo' ? ['search', 'post', 'bare'] : []),
      action: async (_integration: IntegrationConfig, name: string) =>
        name === 'search'
          ? deployedAction('search', { type: 'object', properties: { q: { type: 'string' } } })
          : name === 'bare'
            ? deployedAction('bare')
            : deployedAction(name, { type: 'object' }),
    } as unknown as DeployedFunctions;
    const withDeployed: OperationContext = { ...context, deployed };
    const tools = await listCallableActions(withDeployed, 'demo', 'u-1');
    expect(tools.map((tool) => [tool.name, tool.source])).toEqual([
      ['post', 'integrations.yaml'],
      ['ping', 'integrations.yaml'],
      ['search', 'deployed'],
    ]);
    expect(tools[0]?.description).toBe('Posts a message');
    const demo = withDeployed.integrations().integrations.get('demo') as IntegrationConfig;
    expect(await whyNotCallable(withDeployed, demo, 'bare')).toBe("action 'bare' declares no input schema");
    expect(await whyNotCallable(withDeployed, demo, 'scalar')).toBe(
      "the input schema of action 'scalar' is not of type 'object'",
    );
    expect(await whyNotCallable(withDeployed, demo, 'search')).toBeUndefined();
    expect(await whyNotCallable(withDeployed, demo, 'nope')).toBeUndefined();
  });

  it('refuses an unknown integration or Connection, naming it', async () => {
    await expect(listCallableActions(context, 'nowhere', 'u-1')).rejects.toMatchObject({
      code: 'unknown_integration',
      message: expect.stringContaining("Unknown integration 'nowhere'"),
    });
    const missing = listCallableActions(context, 'demo', 'nobody');
    await expect(missing).rejects.toBeInstanceOf(WorkerError);
    await expect(missing).rejects.toMatchObject({
      code: 'connection_not_found',
      message: expect.stringContaining("No Connection for user 'nobody' on integration 'demo'"),
    });
  });
});
