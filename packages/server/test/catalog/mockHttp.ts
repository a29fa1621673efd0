/** What the catalog mock's handlers read and answer. */
import type { IncomingMessage } from 'node:http';
import type { MockTarget } from './mockUrls';

/** A request as the handlers read it. */
export interface MockRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly target: MockTarget;
}

/** A handler's answer. */
export interface MockAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export function json(status: number, body: unknown): MockAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function form(status: number, fields: Record<string, string>): MockAnswer {
  return {
    status,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}
