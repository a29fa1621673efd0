import { createHmac } from 'node:crypto';
import type { IntegrationConfig, WebhookReceiving } from '../../src/config/types';
import type { IncomingWebhook } from '../../src/providerWebhooks/IncomingWebhook';
import { sameText } from '../../src/providerWebhooks/signatures';
import { GENERIC_SIGNATURE_HEADER, routeOf } from '../../src/providerWebhooks/webhookRoutes';
import type { Provider } from '../../src/providers/Provider';

const NOW = Date.UTC(2026, 0, 1);

/** Only what routing reads of an integration. */
function integration(
  provider: Partial<Provider> | undefined,
  webhooks?: Partial<WebhookReceiving>,
  clientSecret?: string,
): IntegrationConfig {
  return {
    name: 'key',
    ...(provider && { provider: { name: 'x', auth_mode: 'OAUTH2', ...provider } }),
    ...(webhooks && { webhooks: { forward: false, ...webhooks } }),
    ...(clientSecret !== undefined && { oauth: { clientId: 'id', clientSecret } }),
  } as unknown as IntegrationConfig;
}

function webhook(body: string, headers: Record<string, string>, url = 'https://nango.example.com/webhook/key'): IncomingWebhook {
  return { rawBody: Buffer.from(body), headers, method: 'POST', url };
}

describe('provider webhook routes', () => {
  it('checks HubSpot v3 signatures with the client secret (method, URL, body, timestamp) and routes each event by portalId', () => {
    const hub = integration({ name: 'hubspot', webhook_routing_script: 'hubspotWebhookRouting' }, undefined, 'client-secret');
    const events = [
      { portalId: 62515, subscriptionType: 'contact.creation', objectId: 1 },
      { portalId: 99, subscriptionType: 'deal.deletion', objectId: 2 },
    ];
    const body = JSON.stringify(events);
    const url = 'https://nango.example.com/webhook/key';
    const sign = (secret: string, at: number) => ({
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': String(at),
      'x-hubspot-signature-v3': createHmac('sha256', secret).update(`POST${url}${body}${at}`).digest('base64'),
    });
    const route = routeOf(hub);
    expect(route.name).toBe('hubspot');
    expect(route.receive(webhook(body, sign('client-secret', NOW)), hub, NOW)).toEqual({
      kind: 'accepted',
      payload: events,
      events: [
        { type: 'contact.creation', lookup: { key: 'portalId', value: '62515' } },
        { type: 'deal.deletion', lookup: { key: 'portalId', value: '99' } },
      ],
    });
    expect(route.receive(webhook(body, sign('other', NOW)), hub, NOW)).toMatchObject({ kind: 'refused', status: 401 });
    const old = route.receive(webhook(body, sign('client-secret', NOW - 6 * 60_000)), hub, NOW);
    expect(old).toMatchObject({ kind: 'refused', status: 401, message: expect.stringMatching(/X-HubSpot-Request-Timestamp/) });
    // Another URL than the one signed (a proxy that rewrote the path, say) does not pass.
    expect(route.receive(webhook(body, sign('client-secret', NOW), `${url}x`), hub, NOW)).toMatchObject({ kind: 'refused' });
  });

  it('refuses a signed provider without a secret, naming where to set one', () => {
    const gh = integration({ name: 'github' });
    const reception = routeOf(gh).receive(webhook('{}', {}), gh, NOW);
    expect(reception).toMatchObject({ kind: 'refused', status: 401 });
    expect(reception.kind === 'refused' && reception.message).toMatch(/credentials\.webhook_secret.*webhooks\.secret/);
  });

  it('uses the generic mode when the integration names its fields, with the default header when it names none; refuses it unsigned', () => {
    const plain = integration({ name: 'stripe' }, { secret: 's', connectionField: 'data.account', typeField: 'type' });
    const body = JSON.stringify({ type: 'charge.succeeded', data: { account: 'acct_1' } });
    const signature = createHmac('sha256', 's').update(body).digest('hex');
    const route = routeOf(plain);
    expect(route.name).toBe('generic');
    expect(
      route.receive(webhook(body, { [GENERIC_SIGNATURE_HEADER.toLowerCase()]: `sha256=${signature}` }), plain, NOW),
    ).toMatchObject({
      kind: 'accepted',
      events: [{ type: 'charge.succeeded', lookup: { key: 'connectionId', value: 'acct_1' } }],
    });
    // Without a secret nothing can be checked: refused, as an integration that receives no webhooks.
    const open = integration(undefined, { connectionField: 'id' });
    expect(routeOf(open).receive(webhook('{"id":7}', {}), open, NOW)).toMatchObject({ kind: 'refused', status: 401 });
    const bare = integration(undefined);
    expect(routeOf(bare).receive(webhook('{"id":7}', {}), bare, NOW)).toMatchObject({ kind: 'refused', status: 401 });
    const empty = integration(undefined, { secret: 's' });
    const emptySigned = { [GENERIC_SIGNATURE_HEADER.toLowerCase()]: createHmac('sha256', 's').update('').digest('hex') };
    expect(routeOf(empty).receive(webhook('', emptySigned), empty, NOW)).toMatchObject({ kind: 'refused', status: 400 });
  });

  it('reads no Connection from values that cannot name one', () => {
    const gh = integration({ name: 'github' }, { secret: 's' });
    for (const installation of [{ id: { nested: 1 } }, { id: true }, { id: '' }, 'x']) {
      const body = JSON.stringify({ installation });
      const headers = { 'x-hub-signature-256': `sha256=${createHmac('sha256', 's').update(body).digest('hex')}` };
      const reception = routeOf(gh).receive(webhook(body, headers), gh, NOW);
      expect(reception.kind === 'accepted' && reception.events).toEqual([{ type: undefined }]);
    }
  });

  it('compares texts in constant time whatever their lengths', () => {
    expect(sameText('abc', 'abc')).toBe(true);
    expect(sameText('abc', 'abd')).toBe(false);
    expect(sameText('ab', 'abc')).toBe(false);
    expect(sameText('', 'abc')).toBe(false);
  });
});
