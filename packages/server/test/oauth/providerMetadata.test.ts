import type { Provider } from '../../src/providers/Provider';
import { redirectMetadata, tokenResponseMetadata } from '../../src/oauth/flow/providerMetadata';

describe('values the provider returns, kept in the Connection config where the catalog says', () => {
  const provider: Provider = {
    name: 'p',
    auth_mode: 'OAUTH2',
    token_response_metadata: ['instance_url', 'team.id', 'incoming_webhook.url', 'missing', 'nested', 'flag'],
    redirect_uri_metadata: ['realmId', 'empty', 'twice'],
  };

  it('token_response_metadata: top-level and dotted fields, text, numbers and booleans only', () => {
    const response = {
      access_token: 'secret',
      instance_url: 'https://acme.my.example.com',
      team: { id: 'T123', name: 'Acme' },
      incoming_webhook: { url: 'https://hooks.example.com/x' },
      nested: { an: 'object' },
      flag: false,
    };
    expect(tokenResponseMetadata(provider, response)).toEqual({
      instance_url: 'https://acme.my.example.com',
      'team.id': 'T123',
      'incoming_webhook.url': 'https://hooks.example.com/x',
      flag: false,
    });
  });

  it('redirect_uri_metadata: the callback query values named, non-empty text only', () => {
    expect(redirectMetadata(provider, { code: 'c', state: 's', realmId: '9130', empty: '', twice: ['a', 'b'] })).toEqual({
      realmId: '9130',
    });
  });
});
