import { execFileSync } from 'node:child_process';
import { WebSocket } from 'ws';
import { createLogger, Worker } from '@nangohq/server';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { playFlow } from '../helpers/oauthFlow';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

/** The frames a frontend's socket receives, and the id its connection_ack gave it. */
async function openSocket(apiUrl: string): Promise<{ socket: WebSocket; id: string; frames: Record<string, unknown>[] }> {
  const socket = new WebSocket(apiUrl.replace('http', 'ws'));
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise((resolve) => socket.once('message', resolve));
  return { socket, id: (frames.shift() as { ws_client_id: string }).ws_client_id, frames };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !check() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
}

/** Exchanges of the machine's broker whose name starts with `prefix`. */
function exchangesNamed(prefix: string): string[] {
  const out = execFileSync('rabbitmqctl', ['-q', 'list_exchanges', 'name'], { encoding: 'utf8' });
  return out.split('\n').filter((name) => name.startsWith(prefix));
}

describe('flow results across API processes', () => {
  let auth: AuthServer;
  let first: ApiHarness;
  let second: Worker;

  beforeAll(async () => {
    auth = await AuthServer.start();
    const catalog = catalogOf({
      name: 'mock',
      auth_mode: 'OAUTH2',
      authorization_url: `${auth.url}/authorize`,
      token_url: auth.tokenUrl,
    });
    first = await startApi({ catalog });
    // A second API process of the same deployment: same broker queue, same database, its own port.
    second = await Worker.start({
      queue: first.queue,
      integrationsYaml: `${first.dir}/integrations.yaml`,
      integrationsDir: first.dir,
      dbPath: first.dbPath,
      watch: false,
      port: 0,
      roles: { rpc: false, http: true },
      catalog,
      logger: createLogger('silent'),
    });
    await Promise.all([first.worker.brokerLinksReady(), second.brokerLinksReady()]);
    const created = await first.call('/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'app',
        provider: 'mock',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
      }),
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await auth?.stop();
  });

  it("reaches the frontend's socket on one process when the flow ends on another", async () => {
    const { socket, id, frames } = await openSocket(first.url);
    try {
      // The flow runs on the second process (its callback URL is its own): the socket is on the first.
      const end = await playFlow(`${second.httpUrl}/oauth/connect/app?connection_id=relayed&ws_client_id=${id}`);
      expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
      const failed = await playFlow(`${second.httpUrl}/oauth/connect/nope?connection_id=relayed&ws_client_id=${id}`);
      expect(failed.message.eventType).toBe('AUTHORIZATION_FAILED');
      await until(() => frames.length >= 2, 5_000);
      expect(frames).toEqual([
        { message_type: 'success', provider_config_key: 'app', connection_id: 'relayed', is_pending: false },
        expect.objectContaining({ message_type: 'error', provider_config_key: 'nope', error_type: 'unknown_config_key' }),
      ]);
    } finally {
      socket.close();
    }
  });

  it('still delivers on the process that holds the socket, once, and drops results for sockets no process holds', async () => {
    const { socket, id, frames } = await openSocket(second.httpUrl as string);
    try {
      const end = await playFlow(`${second.httpUrl}/oauth/connect/app?connection_id=local&ws_client_id=${id}`);
      expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
      const nobody = await playFlow(`${first.url}/oauth/connect/app?connection_id=nobody&ws_client_id=not-a-socket`);
      expect(nobody.message.eventType).toBe('AUTHORIZATION_SUCEEDED'); // the page reports it, as for every flow
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for a duplicate or a stray relay to arrive
      expect(frames).toEqual([
        { message_type: 'success', provider_config_key: 'app', connection_id: 'local', is_pending: false },
      ]);
    } finally {
      socket.close();
    }
  });

  it('leaves no exchange behind on the broker once every API process has stopped', async () => {
    expect(exchangesNamed(first.queue)).toEqual([`${first.queue}.flow-results`]);
    await second.stop();
    expect(exchangesNamed(first.queue)).toEqual([`${first.queue}.flow-results`]); // the first is still bound
    await first.worker.stop();
    await until(() => exchangesNamed(first.queue).length === 0, 5_000);
    expect(exchangesNamed(first.queue)).toEqual([]);
  });
});
