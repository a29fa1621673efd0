import { validateMessage } from '../../src/rpc/validateMessage';

function problem(body: unknown): string {
  try {
    validateMessage(body);
  } catch (error) {
    expect(error).toMatchObject({ code: 'invalid_message' });
    return (error as Error).message;
  }
  throw new Error('expected the message to be refused');
}

describe('validateMessage', () => {
  it('accepts every message type', () => {
    const messages = [
      { type: 'registerConnection', integration: 'slack', userId: '1', credentials: { access_token: 'a' }, additionalConfig: {} },
      { type: 'updateConnectionConfig', integration: 'slack', userId: '1', additionalConfig: { a: 1 } },
      { type: 'updateConnectionCredentials', integration: 'slack', userId: '1', credentials: {} },
      { type: 'getConnectionsForUserId', userId: '1' },
      { type: 'getConnectionsForIntegration', integration: 'slack' },
      { type: 'triggerAction', integration: 'slack', action: 'notify', userId: '1', input: {} },
      { type: 'getToken', integration: 'slack', userId: '1', forceRefresh: true },
      { type: 'getRawTokenResponse', integration: 'slack', userId: '1' },
      { type: 'getConnection', integration: 'slack', userId: '1', forceRefresh: false, refreshToken: true },
      { type: 'listConnections' },
      { type: 'listConnections', userId: '1' },
      { type: 'deleteConnection', integration: 'slack', userId: '1' },
      { type: 'getMetadata', integration: 'slack', userId: '1' },
      { type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: {} },
      { type: 'updateMetadata', integration: 'slack', userIds: ['1', '2'], metadata: { a: { b: 1 } } },
    ];
    for (const message of messages) expect(validateMessage(message)).toBe(message);
  });

  it('refuses values nested deeper than the limit, naming the field, before anything recurses into them', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = (levels - i) % 2 ? { a: value } : [value]; // an object outermost
      return value;
    };
    const base = { integration: 'slack', userId: '1' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { type: 'registerConnection', ...base, credentials: { access_token: 'a' }, additionalConfig: nest(4_100) },
        'additionalConfig',
      ],
      [{ type: 'registerConnection', ...base, credentials: nest(4_100) }, 'credentials'],
      [{ type: 'updateConnectionCredentials', ...base, credentials: nest(101) }, 'credentials'],
      [{ type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: nest(4_100) }, 'metadata'],
      [{ type: 'triggerAction', ...base, action: 'notify', input: nest(200) }, 'input'],
    ];
    for (const [message, field] of cases) {
      expect(problem(message)).toBe(
        `Invalid ${String(message['type'])} message: ${field}: nests objects or arrays more than 100 levels deep`,
      );
    }
    const atLimit = { type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: nest(100) };
    expect(validateMessage(atLimit)).toBe(atLimit);
  });

  it('names the missing, unknown and mistyped fields, all at once', () => {
    const text = problem({ type: 'registerConnection', integration: 'slack', credentials: 'x', extra: 1 });
    expect(text).toContain('userId: is required');
    expect(text).toContain('credentials: must be object');
    expect(text).toContain('extra: is not a known field');
  });

  it('refuses names that could leave the integrations folder', () => {
    expect(problem({ type: 'triggerAction', integration: 'slack', action: '../../etc/passwd', userId: '1' })).toContain(
      'action: must match pattern',
    );
    expect(problem({ type: 'getConnectionsForIntegration', integration: 'a/b' })).toContain('integration: must match pattern');
  });

  it('refuses bodies that are not objects and unknown types', () => {
    expect(problem([])).toContain('must be a JSON object');
    expect(problem('hello')).toContain('must be a JSON object');
    expect(problem({})).toContain('type: must be one of registerConnection');
    expect(problem({ type: 'dropDatabase' })).toContain("(got 'dropDatabase')");
    expect(problem({ type: 'toString' })).toContain('must be one of');
  });

  it('caps user id length', () => {
    expect(problem({ type: 'getConnectionsForUserId', userId: 'x'.repeat(300) })).toContain(
      'userId: must NOT have more than 255 characters',
    );
    expect(problem({ type: 'getConnectionsForUserId', userId: '' })).toContain('userId: must NOT have fewer than 1 characters');
  });

  describe('token API messages', () => {
    it('refuses flags that are not booleans', () => {
      expect(problem({ type: 'getToken', integration: 'slack', userId: '1', forceRefresh: 'yes' })).toContain(
        'forceRefresh: must be boolean',
      );
      const text = problem({ type: 'getConnection', integration: 'slack', userId: '1', forceRefresh: 1, refreshToken: null });
      expect(text).toContain('forceRefresh: must be boolean');
      expect(text).toContain('refreshToken: must be boolean');
    });

    it('checks names and user ids like the other messages', () => {
      expect(problem({ type: 'getRawTokenResponse', integration: '../x', userId: '1' })).toContain(
        'integration: must match pattern',
      );
      expect(problem({ type: 'deleteConnection', integration: 'slack' })).toContain('userId: is required');
      expect(problem({ type: 'getMetadata', integration: 'slack', userId: '' })).toContain('userId: must NOT have fewer');
      expect(problem({ type: 'listConnections', userId: 5 })).toContain('userId: must be string');
      expect(problem({ type: 'listConnections', integration: 'slack' })).toContain('integration: is not a known field');
    });

    it.each(['setMetadata', 'updateMetadata'])('%s needs a non-empty list of user ids and a metadata object', (type) => {
      expect(problem({ type, integration: 'slack', userIds: [], metadata: {} })).toContain(
        'userIds: must NOT have fewer than 1 items',
      );
      expect(problem({ type, integration: 'slack', userIds: '1', metadata: {} })).toContain('userIds: must be array');
      expect(problem({ type, integration: 'slack', userIds: ['1', ''], metadata: {} })).toContain(
        'userIds.1: must NOT have fewer than 1 characters',
      );
      expect(problem({ type, integration: 'slack', userIds: ['1'], metadata: [] })).toContain('metadata: must be object');
      expect(problem({ type, integration: 'slack', userIds: ['1'], metadata: null })).toContain('metadata: must be object');
      const missing = problem({ type, integration: 'slack', userId: '1' });
      expect(missing).toContain('userIds: is required');
      expect(missing).toContain('metadata: is required');
      expect(missing).toContain('userId: is not a known field');
    });
  });
});
