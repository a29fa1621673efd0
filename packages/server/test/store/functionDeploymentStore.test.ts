import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { generateKey, loadKeyring } from '../../src/encryption/Keyring';
import type { DeployedFunction } from '../../src/store/FunctionDeploymentStore';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const cipher = () => new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, ':memory:'));
const fn = (name: string, js: string): DeployedFunction => ({
  integration: 'echo',
  name,
  type: 'action',
  version: '1.0.0',
  js,
  models: [],
  modelSchemas: {},
  runs: null,
  autoStart: false,
});

describe.each(STORE_KINDS)('deployments of functions on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open(cipher());
  });
  afterEach(() => opened.dispose());

  it('keeps every deployment as a version, the newest active, a rollback a new version', async () => {
    const deployments = opened.store.functionDeployments;
    expect(await deployments.activeVersion()).toBe(0);
    expect(await deployments.list()).toEqual([]);
    const first = await deployments.add([fn('shout', 'module.exports = 1;')]);
    const second = await deployments.add([fn('shout', 'module.exports = 2;'), fn('whisper', '')]);
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(await deployments.activeVersion()).toBe(2);
    expect((await deployments.get(1))?.functions).toEqual([fn('shout', 'module.exports = 1;')]);
    expect(await deployments.get(7)).toBeUndefined();
    const rolledBack = await deployments.add((await deployments.get(1))?.functions ?? [], 1);
    expect(rolledBack).toMatchObject({ version: 3, rolledBackFrom: 1 });
    const listed = await deployments.list();
    expect(listed.map((d) => [d.version, d.active, d.rolledBackFrom, d.functions.map((f) => f.name)])).toEqual([
      [3, true, 1, ['shout']],
      [2, false, null, ['shout', 'whisper']],
      [1, false, null, ['shout']],
    ]);
    expect(JSON.stringify(listed)).not.toContain('module.exports');
  });
});
