import { createHash } from 'node:crypto';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';

/** The user the mock knows, and what it answers. */
export const USER = { username: 'ann@example.test', password: 'pa55-of-ann' };
export const CLIENT = { clientId: 'client-of-bob', clientSecret: 'secret-of-bob' };

/**
 * A provider of two-step tokens on a local HTTP server:
 * - `POST /login` (JSON `{ username, password }`) answers `{ data: { token, expires_in } }` (a new token each time,
 *   `expires_in` as set), 401 for a wrong password;
 * - `GET /discover` (step 1) answers where the token endpoint is; `POST /oauth/token` (step 2, form, client id and
 *   secret as Basic) answers `{ access_token, expires_in: 3600 }`;
 * - `GET /api/items` answers the items for a token it issued (`Authorization: Bearer`, or `x-auth` with an `x-sig`
 *   that is the hex SHA-256 of the client id and the path), else 401.
 */
export async function startTwoStepMock(options: { expiresInS: number }): Promise<ApiServer & { issued: string[] }> {
  const issued: string[] = [];
  const issue = (prefix: string): string => {
    const token = `${prefix}-${issued.length + 1}`;
    issued.push(token);
    return token;
  };
  let url = '';
  const server = await startApiServer((request: RecordedRequest) => {
    const path = request.url.split('?')[0];
    if (request.method === 'POST' && path === '/login') {
      const body = JSON.parse(request.body || '{}') as { username?: string; password?: string };
      if (body.username !== USER.username || body.password !== USER.password) {
        return { status: 401, body: { error: 'invalid_login', message: `wrong password ${body.password ?? ''}` } };
      }
      return { body: { data: { token: issue('login'), expires_in: options.expiresInS } } };
    }
    if (request.method === 'GET' && path === '/discover') return { body: { token_endpoint: `${url}/oauth/token` } };
    if (request.method === 'POST' && path === '/oauth/token') {
      const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
      const form = new URLSearchParams(request.body);
      if (request.headers.authorization !== `Basic ${basic}` || form.get('grant_type') !== 'client_credentials') {
        return { status: 401, body: { error: 'invalid_client' } };
      }
      return { body: { access_token: issue('cc'), expires_in: 3600 } };
    }
    if (path === '/api/items') {
      const bearer = request.headers.authorization?.replace(/^Bearer /, '');
      const custom = request.headers['x-auth'];
      const signature = createHash('sha256').update(`${CLIENT.clientId}${path}`).digest('hex');
      const good =
        (bearer !== undefined && issued.includes(bearer)) ||
        (typeof custom === 'string' && issued.includes(custom) && request.headers['x-sig'] === signature);
      return good ? { body: { items: [{ id: '1', name: 'Acme Corp' }] } } : { status: 401, body: { error: 'unauthorized' } };
    }
    return { status: 404, body: { error: 'not_found' } };
  });
  url = server.url;
  return Object.assign(server, { issued });
}
