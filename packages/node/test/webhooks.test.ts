import { createHash, createHmac } from 'node:crypto';
import { Nango, verifyIncomingWebhookRequest } from '@nangohq/node';

const { Nango: OfficialNango } = require('nango-node-0714') as {
  Nango: new (options: object) => { verifyIncomingWebhookRequest(body: string, headers: Record<string, unknown>): boolean };
};

const KEY = 'webhook-signing-key';
// Compact JSON, as the server sends it (contract E.1 / E.2).
const BODY = JSON.stringify({ from: 'nango', type: 'auth', connectionId: 'c1', providerConfigKey: 'gh', success: true });
const hmac = (key: string, body: string) => createHmac('sha256', key).update(body).digest('hex');

describe('verifyIncomingWebhookRequest (contract E.1)', () => {
  const ours = new Nango({ host: 'http://127.0.0.1:1', secretKey: KEY });
  const official = new OfficialNango({ host: 'http://127.0.0.1:1', secretKey: KEY });

  const cases: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['a good signature', BODY, { 'x-nango-hmac-sha256': hmac(KEY, BODY) }, true],
    ['the header in another case', BODY, { 'X-Nango-Hmac-Sha256': hmac(KEY, BODY) }, true],
    ['upper-case hex', BODY, { 'x-nango-hmac-sha256': hmac(KEY, BODY).toUpperCase() }, true],
    ['no header', BODY, {}, false],
    ['another key', BODY, { 'x-nango-hmac-sha256': hmac('other', BODY) }, false],
    ['a body changed by one byte', `${BODY} `, { 'x-nango-hmac-sha256': hmac(KEY, BODY) }, false],
    [
      'the legacy X-Nango-Signature only',
      BODY,
      {
        'x-nango-signature': createHash('sha256')
          .update(KEY + BODY)
          .digest('hex'),
      },
      false,
    ],
    ['the header as an array', BODY, { 'x-nango-hmac-sha256': [hmac(KEY, BODY)] }, false],
    ['a truncated signature', BODY, { 'x-nango-hmac-sha256': hmac(KEY, BODY).slice(0, 63) }, false],
    ['a signature that is not hex', BODY, { 'x-nango-hmac-sha256': 'z'.repeat(64) }, false],
  ];

  it.each(cases)('%s: as the official SDK decides', (_name, body, headers, expected) => {
    expect(ours.verifyIncomingWebhookRequest(body, headers)).toBe(expected);
    expect(official.verifyIncomingWebhookRequest(body, headers)).toBe(expected);
  });

  it('uses webhookSigningKey over secretKey, and never the apiKey', () => {
    const headers = { 'x-nango-hmac-sha256': hmac(KEY, BODY) };
    expect(new Nango({ secretKey: 'other', webhookSigningKey: KEY }).verifyIncomingWebhookRequest(BODY, headers)).toBe(true);
    expect(new Nango({ apiKey: KEY }).verifyIncomingWebhookRequest(BODY, headers)).toBe(false);
    expect(new OfficialNango({ apiKey: KEY }).verifyIncomingWebhookRequest(BODY, headers)).toBe(false);
    expect(new Nango({ apiKey: 'k', webhookSigningKey: KEY }).verifyIncomingWebhookRequest(BODY, headers)).toBe(true);
  });

  it('takes the raw body as bytes too, and the function works without a client', () => {
    const headers = { 'x-nango-hmac-sha256': hmac(KEY, BODY) };
    expect(verifyIncomingWebhookRequest(Buffer.from(BODY), headers, KEY)).toBe(true);
    expect(verifyIncomingWebhookRequest(BODY, headers, undefined)).toBe(false);
  });
});
