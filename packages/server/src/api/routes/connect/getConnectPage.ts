import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { CONNECT_PAGE_HTML } from './page/connectPageHtml';
import { CONNECT_PAGE_JS } from './page/connectPageScript';
import { CONNECT_PAGE_CSS } from './page/connectPageStyle';

/** Host names and ports only: what may go into the page's CSP as the WebSocket's origin. */
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * `GET /connect` (the `connect_link` of a session, and openConnectUI's iframe): the Connect page, with its script
 * and style at `/connect/assets/connect.js` and `.css`. Public: the session token it is given is what authorises
 * everything it does. About 28 KB in all, no request leaves this server. Embeddable in any page (openConnectUI),
 * since nothing can be done in it without the session token.
 */
export function registerGetConnectPage(app: FastifyInstance, _context: ApiContext): void {
  app.get('/connect', { config: { public: true } }, async (request, reply) => {
    const host = HOST.test(request.headers.host ?? '') ? (request.headers.host as string) : '';
    const sockets = host ? ` ws://${host} wss://${host}` : '';
    return secured(reply, 'text/html; charset=utf-8')
      .header(
        'content-security-policy',
        `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'${sockets}; base-uri 'none'; form-action 'none'`,
      )
      .header('cache-control', 'no-store')
      .send(CONNECT_PAGE_HTML);
  });
  app.get('/connect/assets/connect.js', { config: { public: true } }, async (_request, reply) =>
    secured(reply, 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(CONNECT_PAGE_JS),
  );
  app.get('/connect/assets/connect.css', { config: { public: true } }, async (_request, reply) =>
    secured(reply, 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONNECT_PAGE_CSS),
  );
}

function secured(reply: FastifyReply, contentType: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
}
