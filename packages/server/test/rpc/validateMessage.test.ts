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
    ];
    for (const message of messages) expect(validateMessage(message)).toBe(message);
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
      'userId: must NOT have more than 256 characters',
    );
    expect(problem({ type: 'getConnectionsForUserId', userId: '' })).toContain('userId: must NOT have fewer than 1 characters');
  });
});
