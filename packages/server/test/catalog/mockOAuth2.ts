/**
 * The catalog mock's OAuth 2 provider (RFC 6749 authorization-code grant, RFC 7636 PKCE, and for OAUTH2_CC entries the
 * client-credentials grant, its client authenticated by a secret or an RFC 7523 assertion), judged by the catalog
 * entry of the client: where client credentials go (Basic or body), whether PKCE applies, what the callback calls the
 * code, which token-response fields the entry reads into the Connection.
 */
import { createHash, randomBytes, verify, type KeyObject } from 'node:crypto';
import { clientAuthOf, clientIdOf, clientSecretOf, entryOfClientId } from './catalogEntries';
import { json, type MockAnswer, type MockRequest } from './mockHttp';
import type { RawEntry } from './nangoCatalog';

interface Grant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string | undefined;
}

/** A client registered at an MCP entry's registration_url (RFC 7591): public, bound to its one redirect URI. */
interface RegisteredClient {
  readonly redirectUri: string;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class MockOAuth2 {
  private readonly codes = new Map<string, Grant>();
  /** Client id → the public key its private_key_jwt assertions must verify with (registered by the walk's recipe). */
  readonly assertionKeys = new Map<string, KeyObject>();
  /** Client id → the public client an MCP flow registered (RFC 7591); it has no secret, so PKCE is required. */
  private readonly registered = new Map<string, RegisteredClient>();

  constructor(
    private readonly entryOf: (name: string) => RawEntry | undefined,
    private readonly issued: (token: string) => void,
  ) {}

  /** The user consents at once: back to the redirect URI with a code, or with the error a provider would give. */
  authorize(request: MockRequest): MockAnswer {
    const query = request.url.searchParams;
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri || !URL.canParse(redirectUri)) return { status: 400, body: 'no redirect_uri to send the user back to' };
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const refuse = (description: string): MockAnswer => {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', description);
      return { status: 302, headers: { location: back.toString() } };
    };
    const clientId = query.get('client_id') ?? '';
    const entry = this.entryOfClient(clientId);
    if (!entry) return refuse('unknown client_id');
    if (state === null) return refuse('no state');
    const registered = this.registered.get(clientId);
    if (registered && registered.redirectUri !== redirectUri) return refuse('redirect_uri is not the registered one');
    const resource = resourceOf(entry);
    if (resource !== undefined && query.get('resource') !== resource) return refuse(`resource is not ${resource} (RFC 8707)`);
    // `code`, unless the entry knows its provider wants another value (`auth_code`, `code id_token`).
    const responseType = (entry['authorization_params'] as Record<string, unknown> | undefined)?.['response_type'] ?? 'code';
    if (query.get('response_type') !== responseType) return refuse(`response_type is not ${String(responseType)}`);
    // PKCE is optional for a confidential client; an entry that disables it names a provider that refuses it.
    const challenge = query.get('code_challenge') ?? undefined;
    if (entry['disable_pkce'] === true && challenge !== undefined) return refuse('this provider does not take PKCE');
    if (challenge !== undefined && query.get('code_challenge_method') !== 'S256') return refuse('PKCE: the method is not S256');
    if (registered && challenge === undefined) return refuse('a public client must use PKCE');
    const code = `code-${randomBytes(12).toString('hex')}`;
    this.codes.set(code, { clientId, redirectUri, challenge });
    const codeParam = entry['authorization_code_param_in_callback'];
    back.searchParams.set(typeof codeParam === 'string' ? codeParam : 'code', code);
    return { status: 302, headers: { location: back.toString() } };
  }

  /**
   * An MCP entry's registration_url (RFC 7591): a JSON body with one redirect URI, the code and refresh grants and
   * `token_endpoint_auth_method: none`; answers a public client (201) whose id names the entry.
   */
  register(request: MockRequest): MockAnswer {
    const refuse = (why: string) => json(400, { error: 'invalid_client_metadata', error_description: why });
    if (request.method !== 'POST') return refuse('registration is a POST');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return refuse('the body is not JSON');
    }
    const uris = body['redirect_uris'];
    const redirectUri = Array.isArray(uris) && uris.length === 1 ? uris[0] : undefined;
    if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return refuse('redirect_uris must hold one URL');
    const grants = body['grant_types'];
    if (!Array.isArray(grants) || !grants.includes('authorization_code')) return refuse('grant_types lacks authorization_code');
    if (body['token_endpoint_auth_method'] !== 'none') return refuse('this server registers public clients only');
    const clientId = clientIdOf(request.target.owner);
    this.registered.set(clientId, { redirectUri });
    return json(201, { client_id: clientId, redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
  }

  /** The token endpoint: the code (or a refresh token) for a token, the client authenticated as the entry says. */
  token(request: MockRequest): MockAnswer {
    const fields = bodyFields(request);
    if (fields['client_assertion_type'] === ASSERTION_TYPE) return this.assertionGrant(request, fields);
    const basic = basicCredentials(request.headers.authorization);
    const clientId = basic?.id ?? fields['client_id'] ?? '';
    const entry = this.entryOfClient(clientId);
    if (!entry) return json(401, { error: 'invalid_client', error_description: 'unknown client_id' });
    const wanted = clientAuthOf(entry);
    const secret = wanted === 'basic' ? basic?.secret : fields['client_secret'];
    if (this.registered.has(clientId)) {
      if (basic !== undefined || fields['client_secret'] !== undefined) {
        return json(401, { error: 'invalid_client', error_description: 'a public client sends no secret' });
      }
    } else if (secret !== clientSecretOf(clientId)) {
      return json(401, { error: 'invalid_client', error_description: `client secret missing or wrong in ${wanted}` });
    }
    const resource = resourceOf(entry);
    if (resource !== undefined && fields['resource'] !== resource) {
      return json(400, { error: 'invalid_target', error_description: `resource is not ${resource} (RFC 8707)` });
    }
    const grantType = fields['grant_type'];
    if (grantType === 'refresh_token') return this.tokenAnswer(entry);
    if (entry['auth_mode'] === 'OAUTH2_CC') {
      const wantedGrant = (entry['token_params'] as Record<string, unknown> | undefined)?.['grant_type'] ?? 'client_credentials';
      return grantType === wantedGrant ? this.tokenAnswer(entry) : json(400, { error: 'unsupported_grant_type' });
    }
    if (grantType !== 'authorization_code') return json(400, { error: 'unsupported_grant_type' });
    const grant = this.codes.get(fields['code'] ?? '');
    if (!grant || grant.clientId !== clientId) return json(400, { error: 'invalid_grant', error_description: 'unknown code' });
    this.codes.delete(fields['code'] ?? '');
    if (fields['redirect_uri'] !== grant.redirectUri) {
      return json(400, { error: 'invalid_grant', error_description: 'redirect_uri differs from the authorization request' });
    }
    if (grant.challenge !== undefined) {
      const verifier = fields['code_verifier'] ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
        return json(400, { error: 'invalid_grant', error_description: 'PKCE verifier does not match the challenge' });
      }
    }
    return this.tokenAnswer(entry);
  }

  /**
   * A client-credentials grant whose client proves itself with a signed JWT (RFC 7523 2.2): RS256 over the registered
   * public key, `iss` = `sub` = the client id, `aud` this token URL, a `jti` and an `exp` to come.
   */
  private assertionGrant(request: MockRequest, fields: Record<string, string>): MockAnswer {
    const refuse = (why: string) => json(401, { error: 'invalid_client', error_description: why });
    const [header = '', payload = '', signature = ''] = (fields['client_assertion'] ?? '').split('.');
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return refuse('the assertion is not a JWT');
    }
    const clientId = String(claims['iss']);
    const key = this.assertionKeys.get(clientId);
    const entry = this.entryOfClient(clientId);
    if (!key || !entry) return refuse('unknown client in the assertion');
    const signed = verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
    const audience = `http://${request.headers.host ?? ''}${request.url.pathname}`;
    if (!signed) return refuse('the assertion is not signed with the registered key');
    if (claims['sub'] !== clientId || claims['aud'] !== audience || typeof claims['jti'] !== 'string') {
      return refuse('the assertion names another subject or audience, or no jti');
    }
    if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now()) return refuse('the assertion has expired');
    return this.tokenAnswer(entry);
  }

  private tokenAnswer(entry: RawEntry): MockAnswer {
    const accessToken = `at-${randomBytes(12).toString('hex')}`;
    this.issued(accessToken);
    const answer: Record<string, unknown> = {
      access_token: accessToken,
      refresh_token: `rt-${randomBytes(12).toString('hex')}`,
      token_type: 'Bearer',
      expires_in: 3600,
    };
    const metadata = entry['token_response_metadata'];
    for (const field of Array.isArray(metadata) ? metadata : []) {
      if (typeof field === 'string' && !(field in answer)) answer[field] = `${field}-value`;
    }
    return json(200, answer);
  }

  private entryOfClient(clientId: string): RawEntry | undefined {
    const name = entryOfClientId(clientId);
    return name === undefined ? undefined : this.entryOf(name);
  }
}

/** The RFC 8707 resource an MCP entry names in its authorization_params, which both requests must carry. */
function resourceOf(entry: RawEntry): string | undefined {
  if (!String(entry['auth_mode']).startsWith('MCP_')) return undefined;
  const resource = (entry['authorization_params'] as Record<string, unknown> | undefined)?.['resource'];
  return typeof resource === 'string' ? resource : undefined;
}

/** A token request's fields, form-encoded or JSON, and those of its query (an entry's `body_format: query`). */
function bodyFields(request: MockRequest): Record<string, string> {
  return { ...Object.fromEntries(request.url.searchParams), ...fieldsOfBody(request) };
}

function fieldsOfBody(request: MockRequest): Record<string, string> {
  if (/json/i.test(request.headers['content-type'] ?? '')) {
    try {
      const parsed = JSON.parse(request.body) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(request.body));
}

/** RFC 6749 2.3.1: HTTP Basic, id and secret each form-encoded first. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const form = (text: string) => new URLSearchParams(`v=${text}`).get('v') ?? '';
  return { id: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)) };
}
