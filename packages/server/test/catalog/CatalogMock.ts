/**
 * The one local HTTP server that plays every provider of Nango's catalog for the catalog walk (the entries' URLs are
 * pointed at it, see mockUrls.ts). It reads from a request's path which entry's URL was called and which of its URLs
 * it is, and answers as a provider that follows the entry would:
 *
 *   authorization_url   OAuth 2: checks client id, redirect URI, state and (unless the entry disables PKCE) an S256
 *                       challenge, then redirects to the callback with a code (under the entry's
 *                       authorization_code_param_in_callback, if it names one); OAuth 1.0a: redirects with the
 *                       temporary token and a verifier (mockOAuth1.ts)
 *   token_url, refresh_url
 *                       OAuth 2 (mockOAuth2.ts): the client authenticated where the entry says (Basic or body), the
 *                       code, redirect URI and PKCE verifier checked; answers a token. OAuth 1.0a: signed access token
 *                       TWO_STEP (mockTwoStep.ts): a token where the entry's token_response reads it
 *                       OAUTH2_CC: the client-credentials grant, the client's secret or RFC 7523 assertion checked.
 *                       BILL: v3 login, the four fields given and the password one the walk gave out; a session id
 *   request_url         OAuth 1.0a temporary token, signature checked
 *   registration_url    MCP_OAUTH2: RFC 7591 dynamic registration of a public client (mockOAuth2.ts), which then
 *                       must use PKCE and send the entry's RFC 8707 `resource`
 *   anything else       the entry's API (base_url, verification endpoints): 200 when the request carries a credential
 *                       the walk gave out (an API key, a username, a token this mock issued), else 401
 *
 * Every request is recorded, so a recipe can check that a Connection's credentials reached the provider.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawEntry } from './nangoCatalog';
import { mockTargetAt, type MockTarget } from './mockUrls';
import { json, type MockAnswer, type MockRequest } from './mockHttp';
import { MockOAuth1 } from './mockOAuth1';
import { MockOAuth2 } from './mockOAuth2';
import { MockTwoStep } from './mockTwoStep';

/** Larger bodies are refused unread: no catalog flow comes near. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Credentials shorter than this are not told apart from other text (a password `x`). */
const MIN_CREDENTIAL_LENGTH = 8;

/** One request the mock answered. */
export interface MockHit {
  readonly target: MockTarget | undefined;
  readonly method: string;
  readonly host: string;
  readonly status: number;
  /** The credentials the walk gave out that the request carries. */
  readonly carried: readonly string[];
}

export class CatalogMock {
  private readonly credentials = new Set<string>();
  /** Entries whose API answers requests that carry no credential (auth mode NONE). */
  private readonly openEntries = new Set<string>();
  readonly hits: MockHit[] = [];
  readonly oauth2: MockOAuth2;
  readonly oauth1: MockOAuth1;
  readonly twoStep: MockTwoStep;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly entryOf: (name: string) => RawEntry | undefined,
    private readonly hostOwners: ReadonlyMap<string, string>,
  ) {
    this.oauth2 = new MockOAuth2(entryOf, (token) => this.remember(token));
    this.oauth1 = new MockOAuth1(entryOf, (token) => this.remember(token));
    this.twoStep = new MockTwoStep(
      entryOf,
      (token) => this.remember(token),
      () => this.port,
    );
  }

  /**
   * Listens on 127.0.0.1, on an ephemeral port. `entryOf` gives an entry, aliases resolved, by name; `hostOwners` the
   * entry whose API a host serves at paths the walk never wrote (mockUrls.ts soleHostOwners).
   */
  static async start(
    entryOf: (name: string) => RawEntry | undefined,
    hostOwners: ReadonlyMap<string, string> = new Map(),
  ): Promise<CatalogMock> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const mock = new CatalogMock(server, (server.address() as AddressInfo).port, entryOf, hostOwners);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void mock.handle(req, res));
    return mock;
  }

  /** A credential the walk gives out (an API key, a username): the API answers requests that carry one. */
  remember(value: string): void {
    if (value.length >= MIN_CREDENTIAL_LENGTH) this.credentials.add(value);
  }

  /** Makes the API of entry `owner` answer requests with no credential, as an unauthenticated API does. */
  open(owner: string): void {
    this.openEntries.add(owner);
  }

  /** Whether the walk gave out `value` or the mock issued it (a token). */
  gaveOut(value: string): boolean {
    return this.credentials.has(value);
  }

  /** The requests to the entries' APIs that carried `value`. */
  apiHitsCarrying(value: string): MockHit[] {
    return this.hits.filter((hit) => hit.target !== undefined && isApiRole(hit.target.role) && hit.carried.includes(value));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? `127.0.0.1:${this.port}`;
    const url = URL.parse(req.url ?? '/', `http://${host}`);
    const target = url ? mockTargetAt(url.hostname, url.pathname, this.hostOwners) : undefined;
    let answer: MockAnswer;
    let carried: string[] = [];
    try {
      const body = await readBody(req);
      if (!url || !target)
        answer = {
          status: 404,
          body: `not a path the catalog walk wrote: ${req.method ?? 'GET'} http://${host}${req.url ?? ''}`,
        };
      else if (body === undefined) answer = { status: 413, body: 'body too large' };
      else {
        const request: MockRequest = { method: req.method ?? 'GET', url, headers: req.headers, body, target };
        carried = this.carriedBy(request);
        answer = this.answer(request, carried);
      }
    } catch (error) {
      answer = { status: 500, body: `the catalog mock failed: ${String(error)}` };
    }
    this.hits.push({ target, method: req.method ?? 'GET', host, status: answer.status, carried });
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
  }

  private answer(request: MockRequest, carried: readonly string[]): MockAnswer {
    const { role } = request.target;
    if (role === 'request_url') return this.oauth1.requestToken(request);
    if (role === 'authorization_url') {
      return this.oauth1.owns(request) ? this.oauth1.authorize(request) : this.oauth2.authorize(request);
    }
    if ((role === 'token_url' || role === 'refresh_url') && this.twoStep.owns(request)) return this.twoStep.token(request);
    if (role === 'token_url' && this.entryOf(request.target.owner)?.['auth_mode'] === 'BILL') return this.billLogin(request);
    if (role === 'token_url' || role === 'refresh_url') {
      return this.oauth1.owns(request) ? this.oauth1.accessToken(request) : this.oauth2.token(request);
    }
    if (role === 'registration_url') return this.oauth2.register(request);
    if (role === 'revocation_url') return { status: 200, body: '' };
    if (carried.length === 0 && !this.openEntries.has(request.target.owner))
      return json(401, { error: 'unauthorized', message: 'no credential the walk gave out' });
    return json(200, { ok: true, path: request.target.rest });
  }

  /** Bill's v3 login: a JSON body with the four fields, its password one the walk gave out; answers a session. */
  private billLogin(request: MockRequest): MockAnswer {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return json(400, [{ code: 'BDC_1001', message: 'the body is not JSON' }]);
    }
    const given = ['username', 'password', 'organizationId', 'devKey'].every(
      (field) => typeof body[field] === 'string' && body[field] !== '',
    );
    if (!given || !this.gaveOut(String(body['password']))) return json(401, [{ code: 'BDC_1109', message: 'wrong sign-in' }]);
    const sessionId = `session-${randomBytes(12).toString('hex')}`;
    this.remember(sessionId);
    return json(200, { sessionId, organizationId: body['organizationId'], userId: 'bill-user' });
  }

  /** The remembered credentials found in the request's URL, headers (Basic decoded) or body. */
  private carriedBy(request: MockRequest): string[] {
    const texts = [safeDecode(request.url.pathname + request.url.search), request.body];
    for (const value of Object.values(request.headers)) {
      for (const text of Array.isArray(value) ? value : [value ?? '']) {
        texts.push(text);
        const basic = /^(?:Basic|ID|Userkeyauth)\s+(\S+)/i.exec(text); // base64 credentials: Basic, Workday's ID, Redtail's
        if (basic?.[1]) texts.push(Buffer.from(basic[1], 'base64').toString());
      }
    }
    // A JWT's header and claims (JWT Connections carry a token the server signed from the walk's values).
    for (const jwt of texts.join('\n').match(/eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g) ?? []) {
      for (const part of jwt.split('.').slice(0, 2)) texts.push(Buffer.from(part, 'base64url').toString());
    }
    const haystack = texts.join('\n');
    return [...this.credentials].filter((value) => haystack.includes(value));
  }
}

/** Whether requests under this role are API calls (not parts of an OAuth dance). */
function isApiRole(role: string): boolean {
  return !['authorization_url', 'token_url', 'refresh_url', 'request_url', 'registration_url', 'revocation_url'].includes(role);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString();
}
