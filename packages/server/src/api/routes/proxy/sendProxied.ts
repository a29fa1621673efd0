import { setTimeout as sleep } from 'node:timers/promises';
import type { NangoConnection } from '@nangohq/protocol';
import type { Dispatcher } from 'undici';
import type { IntegrationConfig } from '../../../config/types';
import { WorkerError } from '../../../errors';
import { addressRefusal, guardedDispatcher } from '../../../net/addressGuard';
import { authorise } from '../../../outbound/authorise';
import { describeRequest, urlTemplate } from '../../../outbound/describeRequest';
import { failed } from '../../../outbound/httpErrors';
import type { PreparedBody } from '../../../outbound/prepareBody';
import { sendFollowingRedirects, type Hop, type HopResponse } from '../../../outbound/sendFollowingRedirects';
import type { OperationHandle } from '../../../operationLog/OperationLog';
import type { RateLimitGate } from '../../../ratelimits/RateLimitGate';
import { delayOf, retryHeadersOf } from '../../../ratelimits/readRateLimit';
import { inHttpClientSpan } from '../../../tracing/inHttpClientSpan';
import type { CallerGone } from './CallerGone';
import type { ProxyBody } from './proxyBody';

/** undici (some 110 modules) loads with the first proxied request, not at every start of the server. */
const undici = () => require('undici') as typeof import('undici');

/** One proxy call, its URL and headers made, credentials not yet applied (they are, per hop, by authorise). */
export interface ProxiedCall {
  readonly integration: IntegrationConfig;
  readonly connection: NangoConnection;
  readonly method: string;
  readonly url: URL;
  /** As the caller wrote it, for messages (describeRequest): the URL may hold values rendered from the Connection. */
  readonly endpoint: string;
  /** The host is one the Connection's user typed: the call goes through the address guard (net/addressGuard.ts). */
  readonly userHost?: boolean;
  /** Configured and caller headers merged (mergeHeaders), before credentials. */
  readonly headers: Headers;
  readonly body: ProxyBody;
  readonly retries: number;
  readonly retryOn: ReadonlySet<number>;
  /** First backoff; doubled per attempt, with full jitter. */
  readonly retryBaseMs: number;
  /** Time limit of the call until the reply's headers, retries and waits included; also the body's idle limit. */
  readonly timeoutMs: number;
  readonly gate: RateLimitGate;
  /** Aborts the call when the caller goes away. */
  readonly callerGone: CallerGone;
  /** The call's operation: told of each retry and each wait on a learned rate limit (`retries`, `rateLimitWaitMs`). */
  readonly operation?: OperationHandle;
}

/** The upstream reply, as the redirect loop and the route read it. */
export class UpstreamReply implements HopResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: { cancel(): Promise<void> };

  constructor(readonly raw: Dispatcher.ResponseData) {
    this.status = raw.statusCode;
    this.headers = { get: (name) => first(raw.headers[name.toLowerCase()]) ?? null };
    this.body = { cancel: () => raw.body.dump() };
  }
}

/** Marks the first hop of a streamed body: the stream is sent, never the payload. */
const STREAMED: PreparedBody = { payload: '', contentType: undefined };

/**
 * Sends a proxy call: waits for (or fails fast on) a rate limit learned for the Connection, follows same-origin
 * redirects with credentials (sendFollowingRedirects, as httpRequest does), records any limit a reply announces, and
 * retries network errors, 5xx, 429 and the Retry-On statuses up to `retries` times when the body can be sent again,
 * waiting the longest of the backoff, the reply's Retry-After and the learned limit, within the time limit.
 * The last reply is returned whatever its status, its body unread.
 *
 * @throws WorkerError `provider_rate_limited` (learned limit past the wait allowed), `http_request_failed` (network
 *   error or timeout after the retries), `http_request_invalid` (a credential missing for the auth mode)
 */
export async function sendProxied(call: ProxiedCall): Promise<UpstreamReply> {
  const { integration, connection, gate } = call;
  const deadline = Date.now() + call.timeoutMs;
  const replayable = call.body.kind !== 'stream';
  const retry = retryHeadersOf(integration.provider?.proxy?.retry);
  const label = describeRequest(integration.baseUrl, call.method, call.endpoint, call.url);
  const firstBody = call.body.kind === 'buffer' ? call.body.prepared : call.body.kind === 'stream' ? STREAMED : undefined;
  const { operation } = call;
  let rateLimitWaitMs = 0;
  for (let attempt = 0; ; attempt++) {
    const waitedMs = await gate.pass(connection.uuid, `proxy ${label.text}`, deadline - Date.now(), () => call.callerGone.signal);
    if (waitedMs > 0 && operation) {
      rateLimitWaitMs += waitedMs;
      operation.set({ rateLimitWaitMs });
      operation.message('info', `waited ${seconds(waitedMs)} s for the provider's rate limit learned earlier`);
    }
    if (attempt > 0) operation?.set({ retries: attempt });
    const canRetry = attempt < call.retries && replayable;
    let reply: UpstreamReply;
    try {
      const sent = await sendFollowingRedirects(
        { method: call.method, url: call.url, body: firstBody },
        (hop) => sendHop(call, hop, deadline),
        {
          bodyReplayable: replayable,
        },
      );
      reply = sent.response;
    } catch (err) {
      if (err instanceof WorkerError || call.callerGone.aborted) throw err;
      const refused = addressRefusal(err);
      if (refused) throw refused;
      const waitMs = backoff(call.retryBaseMs, attempt);
      if (canRetry && Date.now() + waitMs < deadline) {
        operation?.message('warn', `${label.cause(err)}; retry ${attempt + 1} of ${call.retries} in ${seconds(waitMs)} s`);
        await sleep(waitMs, undefined, { signal: call.callerGone.signal });
        continue;
      }
      const timedOut = Date.now() >= deadline || (err as { code?: unknown }).code === 'UND_ERR_HEADERS_TIMEOUT';
      if (timedOut) throw failed(`proxy ${label.text} timed out after ${call.timeoutMs} ms`, err);
      throw failed(`proxy ${label.text} failed: ${label.cause(err)}`, err);
    }
    const header = (name: string): string | undefined => reply.headers.get(name) ?? undefined;
    const limit = await gate.learn(connection.uuid, reply.status, header, retry);
    const status = reply.status;
    if (canRetry && (status >= 500 || status === 429 || call.retryOn.has(status))) {
      const now = Date.now();
      const waitMs = Math.max(
        backoff(call.retryBaseMs, attempt),
        delayOf(header(retry.after ?? 'retry-after'), now) ?? 0,
        limit === undefined ? 0 : limit.untilMs - now,
      );
      if (now + waitMs < deadline && waitMs <= Math.max(gate.maxWaitMs, call.retryBaseMs * 2 ** attempt * 2)) {
        const retryText = `retry ${attempt + 1} of ${call.retries}`;
        operation?.message('warn', `${status} from the provider, waiting ${seconds(waitMs)} s; ${retryText}`);
        await reply.body.cancel();
        await sleep(waitMs, undefined, { signal: call.callerGone.signal });
        continue;
      }
    }
    return reply;
  }
}

function sendHop(call: ProxiedCall, hop: Hop, deadline: number): Promise<UpstreamReply> {
  const headers = authorise(call.integration, call.connection, call.headers, hop);
  const streamed = call.body.kind === 'stream' && hop.body === STREAMED ? call.body : undefined;
  if (streamed?.length !== undefined) headers.set('content-length', String(streamed.length));
  const body = streamed ? streamed.stream : hop.body === undefined ? null : hop.body.payload;
  const send = () =>
    undici()
      .request(hop.url, {
        method: hop.method as Dispatcher.HttpMethod,
        headers: Object.fromEntries(headers),
        body,
        signal: call.callerGone,
        ...(call.userHost === true && { dispatcher: guardedDispatcher() }),
        headersTimeout: Math.max(1, deadline - Date.now()),
        bodyTimeout: call.timeoutMs,
      })
      .then((raw) => new UpstreamReply(raw));
  // One HTTP client span per hop and per retry: each is a request the provider sees. A base_url with placeholders
  // shows as written: the rendered URL holds Connection values.
  const template = urlTemplate(call.integration.baseUrl, call.endpoint);
  const attributes = { 'nango.integration': call.integration.name, ...(template !== undefined && { 'url.template': template }) };
  return inHttpClientSpan(hop.method, template === undefined ? hop.url : undefined, send, attributes);
}

/** Milliseconds as seconds with one decimal, for messages. */
function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toString();
}

/** Exponential backoff with full jitter: a random time up to base·2^attempt, at least half of it. */
function backoff(baseMs: number, attempt: number): number {
  const ceiling = baseMs * 2 ** attempt;
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
