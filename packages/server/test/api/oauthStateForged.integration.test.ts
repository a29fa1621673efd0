import { WebSocket } from 'ws';
import type { ApiHarness } from '../helpers/apiHarness';
import { catalogOf } from '../helpers/apiHarness';
import { API_STORES, startApiOn } from '../helpers/apiOnStore';
import { playFlow, postedMessage } from '../helpers/oauthFlow';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import { CONSUMER_KEY, CONSUMER_SECRET, OAuth1Provider } from '../oauth/oauth1Provider';

const json = { 'content-type': 'application/json' };

/** A frontend's WebSocket (frontend 0.17): its ws_client_id and every frame it got after the ack. */
async function frontendSocket(url: string): Promise<{ id: string; frames: Record<string, unknown>[]; close(): void }> {
  const socket = new WebSocket(url.replace('http', 'ws'));
  const frames: Record<string, unknown>[] = [];
  const ack = await new Promise<{ ws_client_id: string }>((resolve) =>
    socket.once('message', (data) => resolve(JSON.parse(String(data)) as { ws_client_id: string })),
  );
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  return { id: ack.ws_client_id, frames, close: () => socket.close() };
}

/** The callback a flow's provider would send, read from the redirect chain without following it to the server. */
async function providerRedirect(connectUrl: string): Promise<{ state: string; callback: string }> {
  const connect = await fetch(connectUrl, { redirect: 'manual' });
  const authorize = connect.headers.get('location') as string;
  const back = await fetch(authorize, { redirect: 'manual' });
  const callback = back.headers.get('location') as string;
  return { state: new URL(authorize).searchParams.get('state') ?? new URL(callback).searchParams.get('state') ?? '', callback };
}

/**
 * Two browsers' worth of flows: a callback that carries someone else's state but fails (no code, a forged code, a
 * foreign token) used that state up, so the real callback then failed with state_err. Now a session ends only when
 * its flow completes or the provider reports an error for it, and a failure that does not end it is told to the
 * request that caused it, not to the session's own frontend.
 */
describe.each(API_STORES)('a forged OAuth callback on %s', (kind) => {
  let auth: AuthServer;
  let oauth1: OAuth1Provider;
  let api: ApiHarness;

  beforeAll(async () => {
    auth = await AuthServer.start();
    oauth1 = await OAuth1Provider.start();
    api = await startApiOn(kind, {
      catalog: catalogOf(
        { name: 'mock', auth_mode: 'OAUTH2', authorization_url: `${auth.url}/authorize`, token_url: auth.tokenUrl },
        {
          name: 'mock1',
          auth_mode: 'OAUTH1',
          request_url: `${oauth1.url}/request_token`,
          authorization_url: `${oauth1.url}/authorize`,
          token_url: `${oauth1.url}/access_token`,
        },
      ),
    });
    for (const [key, provider, id, secret] of [
      ['app', 'mock', CLIENT_ID, CLIENT_SECRET],
      ['trello', 'mock1', CONSUMER_KEY, CONSUMER_SECRET],
    ]) {
      const created = await api.call('/config', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ provider_config_key: key, provider, oauth_client_id: id, oauth_client_secret: secret }),
      });
      expect(created.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    await oauth1?.stop();
    await auth?.stop();
  });

  const page = async (path: string) => {
    const response = await fetch(`${api.url}${path}`);
    const html = await response.text();
    return { status: response.status, message: postedMessage(html), html };
  };
  const connection = (id: string, key = 'app') => api.call(`/connection/${id}?provider_config_key=${key}`);

  it('OAuth 2: failed callbacks with the victim state leave its flow alive; the real callback completes it', async () => {
    const victimSocket = await frontendSocket(api.url);
    try {
      const victim = await providerRedirect(`${api.url}/oauth/connect/app?connection_id=victim&ws_client_id=${victimSocket.id}`);
      // The attacker's own flow, in the other browser, is unaffected either way.
      expect((await playFlow(`${api.url}/oauth/connect/app?connection_id=attacker`)).message.eventType).toBe(
        'AUTHORIZATION_SUCEEDED',
      );

      const missing = await page(`/oauth/callback?state=${victim.state}`);
      expect(missing.message.data.error).toMatchObject({ type: 'callback_err' });
      // Told to whoever sent it, without the victim's names, and not over the victim's WebSocket.
      expect(missing.message.data).toMatchObject({ providerConfigKey: '', connectionId: '' });
      expect(missing.html).not.toContain('victim');
      expect((await page(`/oauth/callback?state=${victim.state}&code=`)).message.data.error?.type).toBe('callback_err');
      const forged = await page(`/oauth/callback?state=${victim.state}&code=forged-code`);
      expect(forged.message.data.error?.type).toBe('token_err');
      expect((await connection('victim')).status).toBe(404);

      const real = await playFlow(victim.callback);
      expect(real.message).toEqual({
        eventType: 'AUTHORIZATION_SUCEEDED',
        data: { providerConfigKey: 'app', connectionId: 'victim' },
      });
      expect((await connection('victim')).status).toBe(200);
      // Then the state is used up.
      expect((await playFlow(victim.callback)).message.data.error?.type).toBe('state_err');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(victimSocket.frames.filter((frame) => frame['error_type'] === 'callback_err')).toEqual([]);
      expect(victimSocket.frames.at(-1)).toEqual({
        message_type: 'success',
        provider_config_key: 'app',
        connection_id: 'victim',
        is_pending: false,
      });
    } finally {
      victimSocket.close();
    }
  });

  it("OAuth 2: the provider's error for the state ends the flow, and says so to its frontend", async () => {
    const victimSocket = await frontendSocket(api.url);
    try {
      const victim = await providerRedirect(`${api.url}/oauth/connect/app?connection_id=denied&ws_client_id=${victimSocket.id}`);
      const denied = await page(`/oauth/callback?state=${victim.state}&error=access_denied`);
      expect(denied.message.data).toMatchObject({
        providerConfigKey: 'app',
        connectionId: 'denied',
        error: { type: 'callback_err' },
      });
      expect((await playFlow(victim.callback)).message.data.error?.type).toBe('state_err');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(victimSocket.frames).toEqual([expect.objectContaining({ message_type: 'error', error_type: 'callback_err' })]);
    } finally {
      victimSocket.close();
    }
  });

  it('OAuth 1.0a: a callback without a verifier, or with another flow’s token, leaves the flow alive', async () => {
    const victim = await providerRedirect(`${api.url}/oauth/connect/trello?connection_id=victim1`);
    const other = await providerRedirect(`${api.url}/oauth/connect/trello?connection_id=other1`);
    const otherToken = new URL(other.callback).searchParams;
    expect((await page(`/oauth/callback?state=${victim.state}`)).message.data.error?.type).toBe('callback_err');
    const foreign = await page(
      `/oauth/callback?state=${victim.state}&oauth_token=${otherToken.get('oauth_token')}&oauth_verifier=${otherToken.get('oauth_verifier')}`,
    );
    expect(foreign.message.data.error?.type).toBe('callback_err');
    expect((await page(`/oauth/callback?state=${victim.state}&denied=not-its-token`)).message.data.error?.type).toBe(
      'callback_err',
    );
    expect((await playFlow(victim.callback)).message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect((await playFlow(other.callback)).message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect((await connection('victim1', 'trello')).status).toBe(200);
    expect((await connection('other1', 'trello')).status).toBe(200);
  });
});
