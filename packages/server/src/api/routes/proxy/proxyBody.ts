import type { IncomingMessage } from 'node:http';
import type { PreparedBody } from '../../../outbound/prepareBody';

/**
 * Request bodies up to this size are read whole before the call, so a retry or a 307/308 redirect can send them
 * again; larger ones, and those of unknown size (chunked), are streamed through and never retried: holding a
 * 1 GB upload in memory to maybe send it twice is worse than letting the caller retry.
 */
export const REPLAYABLE_BODY_BYTES = 4 * 1024 * 1024;

/** The body of a proxy call: none, read whole (replayable), or the caller's stream (sent once). */
export type ProxyBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffer'; readonly prepared: PreparedBody }
  | { readonly kind: 'stream'; readonly stream: IncomingMessage; readonly length: number | undefined };

/** Reads or hands through the caller's body; GET and HEAD have none (fetch-style clients cannot send one). */
export async function readProxyBody(method: string, raw: IncomingMessage): Promise<ProxyBody> {
  const lengthText = raw.headers['content-length'];
  const length = lengthText === undefined ? undefined : Number(lengthText);
  const hasBody = raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length > 0);
  if (method === 'GET' || method === 'HEAD' || !hasBody) {
    raw.resume();
    return { kind: 'none' };
  }
  if (length === undefined || !(length <= REPLAYABLE_BODY_BYTES)) return { kind: 'stream', stream: raw, length };
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  // OAuth 1 signs a form body's parameters: authorise reads them from a string payload.
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(raw.headers['content-type'] ?? '');
  return { kind: 'buffer', prepared: { payload: isForm ? bytes.toString('utf8') : bytes, contentType: undefined } };
}
