import { createPublicKey, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiServer, RecordedRequest } from '../helpers/apiServer';

/** One registered OAuth client: a secret (Basic or body), or a public key its assertions are checked with. */
export type MockClient = { readonly secret: string } | { readonly publicKey: KeyObject };

/** A local authorization server and API for client credentials, checking what a real one checks. */
export interface ClientCredentialsMock extends ApiServer {
  /** Client id → how it authenticates; add or change clients while the test runs. */
  readonly clients: Map<string, MockClient>;
  /** Token → when it expires (epoch ms). */
  readonly tokens: Map<string, number>;
  /** Why each refused token request or API call was refused. */
  readonly refusals: string[];
  /** Life of the next tokens, in seconds. */
  expiresInS: number;
  /** Token requests answered with a token. */
  issued: number;
  /** The audience each token request must ask for, when set. */
  audience: string | undefined;
  /** Fields added to each token answer (Salesforce's `instance_url`, …). */
  answerExtra: Record<string, unknown>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * POST `<prefix>/oauth/token` (any path ending so, a tenant in front of it) takes the client-credentials grant as a
 * form, a JSON body or a query, the client authenticated by Basic, by `client_id`/`client_secret`, or by a
 * private_key_jwt assertion (RFC 7523: signature, `iss` = `sub` = client id, `aud` = the token URL, `exp` in the
 * future, `jti` present), checked with jose apart from the server's signer. Any other path is the API: a live Bearer
 * token (or `x-api-token: Token <token>`, where one catalog entry puts it) gets `{ items }`, anything else 401.
 */
export async function startClientCredentialsMock(): Promise<ClientCredentialsMock> {
  const refuse = (why: string, status = 401): Answer => {
    mock.refusals.push(why);
    return { status, body: { error: 'invalid_client', error_description: why } };
  };
  const issue = (clientId: string): Answer => {
    mock.issued++;
    const token = `tok-${clientId}-${mock.issued}`;
    mock.tokens.set(token, Date.now() + mock.expiresInS * 1000);
    return { body: { ...mock.answerExtra, access_token: token, token_type: 'Bearer', expires_in: mock.expiresInS } };
  };
  const respond = async (request: RecordedRequest, tokenUrl: string): Promise<Answer> => {
    const url = new URL(request.url, tokenUrl);
    if (!url.pathname.endsWith('/oauth/token')) {
      const header = request.headers['x-api-token'];
      const token =
        typeof header === 'string'
          ? /^Token (.+)$/.exec(header)?.[1]
          : /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const expires = token === undefined ? undefined : mock.tokens.get(token);
      if (expires === undefined || expires <= Date.now())
        return refuse(`API: ${token === undefined ? 'no Bearer token' : 'dead token'}`);
      return { body: { items: [{ id: 'c-1', name: 'client report' }] } };
    }
    const json = /^application\/json/.test(request.headers['content-type'] ?? '');
    const params = json
      ? new Map(Object.entries(JSON.parse(request.body || '{}') as Record<string, string>))
      : new Map([...url.searchParams, ...new URLSearchParams(request.body)]);
    if (params.get('grant_type') !== 'client_credentials') return refuse('grant_type is not client_credentials', 400);
    if (mock.audience !== undefined && params.get('audience') !== mock.audience) return refuse('wrong audience', 400);
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id = '', secret] = Buffer.from(basic, 'base64')
        .toString()
        .split(':')
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      const client = mock.clients.get(id);
      if (!client || !('secret' in client) || client.secret !== secret) return refuse(`Basic: bad client ${id}`);
      return issue(id);
    }
    if (params.get('client_assertion_type') === ASSERTION_TYPE) {
      const assertion = params.get('client_assertion') ?? '';
      try {
        const claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as { iss?: string };
        const client = mock.clients.get(claims.iss ?? '');
        if (!client || !('publicKey' in client)) return refuse(`assertion: unknown client ${claims.iss ?? ''}`);
        const audience = `${url.origin}${url.pathname}`;
        const { payload } = await jwtVerify(assertion, client.publicKey, { audience, issuer: claims.iss ?? '' });
        if (payload.sub !== claims.iss || typeof payload.jti !== 'string' || payload.exp === undefined) {
          return refuse('assertion: sub, jti or exp wrong');
        }
        return issue(claims.iss ?? '');
      } catch (error) {
        return refuse(`assertion: ${(error as Error).message}`);
      }
    }
    const id = params.get('client_id') ?? '';
    const client = mock.clients.get(id);
    if (!client || !('secret' in client) || client.secret !== params.get('client_secret'))
      return refuse(`body: bad client ${id}`);
    return issue(id);
  };
  const server = await startAsyncServer(respond);
  const mock: ClientCredentialsMock = Object.assign(server, {
    clients: new Map<string, MockClient>(),
    tokens: new Map<string, number>(),
    refusals: [] as string[],
    expiresInS: 3600,
    issued: 0,
    audience: undefined as string | undefined,
    answerExtra: {} as Record<string, unknown>,
  });
  return mock;
}

/** The public key of a private one, for registering a private_key_jwt client. */
export function publicOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

type Answer = { status?: number; body?: unknown };

/** A real HTTP server on 127.0.0.1 whose answers may take a while (jose verifies an assertion asynchronously). */
async function startAsyncServer(respond: (request: RecordedRequest, origin: string) => Promise<Answer>): Promise<ApiServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      void respond(recorded, base).then((answer) =>
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body ?? {})),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    peakConcurrency: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
