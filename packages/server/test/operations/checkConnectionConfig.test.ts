import type { Provider } from '../../src/providers/Provider';
import { checkConnectionConfig } from '../../src/operations/checkConnectionConfig';
import { WorkerError } from '../../src/errors';

const provider = {
  name: 'tenanted',
  display_name: 'Tenanted API',
  auth_mode: 'API_KEY',
  connection_config: {
    subdomain: {
      type: 'string',
      title: 'Subdomain',
      description: 'The subdomain of your account.',
      pattern: '^[a-z0-9-]+$',
      example: 'acme',
    },
    region: { type: 'string', title: 'Region', enum: ['us', 'eu'], default_value: 'us' },
    accountId: { type: 'string', title: 'Account', automated: true, pattern: '^[0-9]+$' },
    team: { type: 'string', title: 'Team', optional: true, pattern: '^t-' },
  },
} as unknown as Provider;

const params = { where: (key: string) => `params[${key}]`, complete: true };
const rpc = { where: (key: string) => `additionalConfig.${key}`, complete: false };

function refusal(run: () => unknown): WorkerError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkerError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('checkConnectionConfig', () => {
  it("at a connect door: requires what the catalog requires, fills defaults, keeps the app's own keys", () => {
    expect(checkConnectionConfig(provider, { subdomain: 'acme', own: { nested: true } }, params)).toEqual({
      subdomain: 'acme',
      region: 'us',
      own: { nested: true },
    });
    const error = refusal(() => checkConnectionConfig(provider, {}, params));
    expect(error.code).toBe('invalid_connection_config');
    expect(error.message).toBe(
      'The connection config for Tenanted API is not valid: params[subdomain] (Subdomain) is required: The subdomain of your account, e.g. acme',
    );
  });

  it('names every field outside its rules with the rule, never the value', () => {
    const config = { subdomain: 'evil.example/x?', region: 'apac', accountId: 'abc', team: 'x' };
    const error = refusal(() => checkConnectionConfig(provider, config, params));
    expect(error.message).toBe(
      'The connection config for Tenanted API is not valid: ' +
        'params[subdomain] (Subdomain) does not match the pattern ^[a-z0-9-]+$, e.g. acme; ' +
        'params[region] (Region) must be one of us, eu; ' +
        'params[accountId] (Account) does not match the pattern ^[0-9]+$; ' +
        'params[team] (Team) does not match the pattern ^t-',
    );
    expect(error.message).not.toContain('evil.example');
  });

  it('at the other doors: checks only the values given, and leaves the config as it is', () => {
    const config = { own: 1 };
    expect(checkConnectionConfig(provider, config, rpc)).toBe(config);
    expect(checkConnectionConfig(provider, { subdomain: 'acme', accountId: 42 }, rpc)).toEqual({
      subdomain: 'acme',
      accountId: 42,
    });
    expect(refusal(() => checkConnectionConfig(provider, { subdomain: 'Not OK' }, rpc)).message).toContain(
      'additionalConfig.subdomain (Subdomain) does not match the pattern',
    );
    expect(refusal(() => checkConnectionConfig(provider, { subdomain: { a: 1 } }, rpc)).message).toContain(
      'additionalConfig.subdomain (Subdomain) must be text, not an object',
    );
  });

  it('passes anything for an integration whose catalog entry describes no field', () => {
    const config = { anything: 'goes' };
    expect(checkConnectionConfig(undefined, config, params)).toBe(config);
    expect(checkConnectionConfig({ name: 'plain', auth_mode: 'API_KEY' }, config, params)).toBe(config);
  });
});
