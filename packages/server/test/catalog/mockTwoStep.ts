/**
 * The catalog mock's token endpoint for TWO_STEP entries: it answers each of an entry's token requests (every step,
 * and the refresh request) with what a provider following the entry would, in the shape the entry's token_response
 * reads: a new token at `token_response.token` (the whole body when that is ''), its expiry at `token_expiration`
 * (seconds, or a date for `expireAt`), a refresh token where one is named, and for every `${stepN.x}` a later step
 * reads, `x` set to this mock's own URL for the entry, so the next step comes back here.
 */
import type { MockAnswer, MockRequest } from './mockHttp';
import { json } from './mockHttp';
import type { RawEntry } from './nangoCatalog';

const STEP_NAME = /\$\{step\d+\.([\w.]+)\}/g;

export class MockTwoStep {
  private issued = 0;

  constructor(
    private readonly entryOf: (name: string) => RawEntry | undefined,
    private readonly remember: (token: string) => void,
    private readonly port: () => number,
  ) {}

  /** Whether the request is to a TWO_STEP entry's token or refresh URL. */
  owns(request: MockRequest): boolean {
    return this.entryOf(request.target.owner)?.['auth_mode'] === 'TWO_STEP';
  }

  token(request: MockRequest): MockAnswer {
    const entry = this.entryOf(request.target.owner) ?? {};
    const response = (entry['token_response'] ?? {}) as Record<string, unknown>;
    const token = `two-step-token-${request.target.owner}-${++this.issued}`;
    this.remember(token);
    const tokenPath = typeof response['token'] === 'string' ? response['token'] : 'access_token';
    if (tokenPath === '') return { status: 200, headers: { 'content-type': 'text/plain' }, body: token };
    const answer: Record<string, unknown> = {};
    const self = `http://127.0.0.1:${this.port()}/_mock/${request.target.owner}/token_url`;
    for (const match of JSON.stringify(entry).matchAll(STEP_NAME)) setAt(answer, match[1] ?? '', self);
    setAt(answer, tokenPath, token);
    if (typeof response['token_expiration'] === 'string') {
      const expireAt = response['token_expiration_strategy'] === 'expireAt';
      setAt(answer, response['token_expiration'], expireAt ? new Date(Date.now() + 3_600_000).toISOString() : 3600);
    }
    if (typeof response['refresh_token'] === 'string' && response['refresh_token'] !== tokenPath) {
      setAt(answer, response['refresh_token'], `two-step-refresh-${request.target.owner}-${this.issued}`);
    }
    return json(200, answer);
  }
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof current[key] !== 'object' || current[key] === null) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys.at(-1) ?? ''] = value;
}
