import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { OAuthFlowError } from '../oauth/flow/OAuthFlowError';
import type { ApiContext } from './ApiContext';

/** Who a flow's result is for. Any of them may be unknown when the flow failed early (no state, say). */
export interface FlowParties {
  readonly providerConfigKey: string | undefined;
  readonly connectionId: string | undefined;
  readonly wsClientId: string | undefined;
}

/**
 * Ends an OAuth flow in the frontends' protocol (contract B.2–B.5): first a frame on the frontend's WebSocket when
 * the flow carries a `ws_client_id` (`success` or `error`), then, in every case, the HTML page that posts the
 * `eventType` message to `window.opener` (0.8.0 and our own frontend read it) and the modern `type` message, and
 * closes itself. Failures are logged here, once, without secrets.
 */
export function sendFlowResult(
  context: ApiContext,
  reply: FastifyReply,
  parties: FlowParties,
  error: OAuthFlowError | undefined,
): FastifyReply {
  const providerConfigKey = parties.providerConfigKey ?? '';
  const connectionId = parties.connectionId ?? '';
  if (error) {
    context.logger.warn({ type: error.type, reason: error.message, providerConfigKey, connectionId }, 'OAuth flow failed');
  } else {
    context.logger.info({ providerConfigKey, connectionId }, 'OAuth flow succeeded');
  }
  if (parties.wsClientId !== undefined) {
    const frame = error
      ? {
          message_type: 'error',
          provider_config_key: providerConfigKey,
          connection_id: connectionId,
          error_type: error.type,
          error_desc: error.message,
        }
      : { message_type: 'success', provider_config_key: providerConfigKey, connection_id: connectionId, is_pending: false };
    const delivery = context.flowResults
      ? context.flowResults.deliver(parties.wsClientId, frame)
      : context.sockets.send(parties.wsClientId, frame)
        ? 'here'
        : 'not relayed';
    if (delivery === 'not relayed') {
      context.logger.warn(
        { providerConfigKey, connectionId },
        'OAuth flow result: its WebSocket is not open on this process and could not be relayed to the others; only the page reports it',
      );
    }
  }
  const legacy = error
    ? {
        eventType: 'AUTHORIZATION_FAILED',
        data: { providerConfigKey, connectionId, error: { type: error.type, message: error.message } },
      }
    : { eventType: 'AUTHORIZATION_SUCEEDED', data: { providerConfigKey, connectionId } }; // sic: the SDKs compare this spelling
  const modern = error
    ? { type: 'nango_oauth_callback_error', payload: { message: error.message, errorType: error.type } }
    : { type: 'nango_oauth_callback_success' };
  const nonce = randomBytes(16).toString('base64');
  const title = error ? 'Authorization failed' : 'Authorization succeeded';
  const detail = error ? `${error.type}: ${error.message}` : `Connection '${connectionId}' of '${providerConfigKey}' is ready.`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;margin:2rem;color:#222}p.detail{color:${error ? '#a00' : '#060'}}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="detail" id="detail">${escapeHtml(detail)}</p>
<p>You can close this window.</p>
<script nonce="${nonce}">
(function () {
  var legacy = ${scriptJson(legacy)};
  var modern = ${scriptJson(modern)};
  if (window.opener) {
    try { window.opener.postMessage(legacy, '*'); window.opener.postMessage(modern, '*'); } catch (e) {}
  }
  // After the opener has read the message (frontend 0.8.0 polls window.closed every 100 ms).
  setTimeout(function () { window.close(); }, 300);
})();
</script>
</body>
</html>
`;
  return reply
    .code(error ? 400 : 200)
    .header('content-type', 'text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html);
}

/** Text for HTML content and attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON to embed in an inline script: `<`, `>`, `&` and the JavaScript line separators escaped, so that no value can
 * close the script element or start markup.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
