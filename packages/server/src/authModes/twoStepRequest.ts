import { randomUUID } from 'node:crypto';
import type { NangoConnection } from '@nangohq/protocol';
import {
  CatalogTemplateError,
  hostNamesOf,
  renderCatalogTemplate,
  type CatalogScope,
  type CatalogTemplate,
} from '../config/catalogTemplate';
import type { TwoStepRequest, TwoStepSettings, TwoStepValue } from '../config/compileTwoStep';
import { addressRefusal, guardedFetchOptions } from '../net/addressGuard';
import { describeFetchError, isTransientStatus, TokenEndpointError } from '../oauth/requestToken';
import { scrubSecrets } from '../oauth/scrubSecrets';
import { signJwt } from '../signing/signJwt';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';

/** The last step's answer: its JSON object, or (an answer that is not one) its body as text. */
export type TwoStepAnswer = Record<string, unknown> | string;

/**
 * Runs a TWO_STEP entry's token requests for one Connection: its steps in order (each may read the answers before it
 * as `${stepN.…}`), or its refresh request when `refresh` and the Connection holds a refresh token.
 * @returns the last answer
 * @throws TokenEndpointError: `refused` naming the field whose value is missing (a field the user did not give), or
 *   the step and the provider's status and reason (secrets scrubbed); `rejected` for a 401 or 403 (the user's
 *   credentials are refused); `transient` for no answer, 408, 429, 5xx
 */
export async function runTwoStep(
  settings: TwoStepSettings,
  connection: NangoConnection,
  options: { readonly timeoutMs: number; readonly refresh: boolean },
): Promise<TwoStepAnswer> {
  const answers: unknown[] = [];
  const random = randomUUID();
  const now = new Date();
  const base = scopeOf(connection, { random, now, answers, jwt: undefined });
  const jwt = settings.jwt ? await signJwt(...jwtParts(settings.jwt, base, now)) : undefined;
  const scope = scopeOf(connection, { random, now, answers, jwt });
  const secrets = secretsOf(connection);
  const refreshToken = connection.credentials['refresh_token'];
  const steps = options.refresh && settings.refresh && typeof refreshToken === 'string' ? [settings.refresh] : settings.steps;
  let answer: TwoStepAnswer = {};
  const guarded: boolean[] = [];
  for (const step of steps) {
    guarded.push(hostIsTyped(step.url, guarded));
    answer = await send(step, scope, { timeoutMs: options.timeoutMs, guarded: guarded.at(-1) === true }, secrets);
    answers.push(answer);
  }
  return answer;
}

/** The scope a Connection's templates are rendered in (see config/catalogTemplate for the names). */
export function scopeOf(
  connection: NangoConnection,
  values: { random: string; now: Date; answers: readonly unknown[]; jwt: string | undefined; endpoint?: string },
): CatalogScope {
  const { credentials, additionalConfig } = connection;
  const roots: Record<string, unknown> = {
    credentials,
    connectionConfig: additionalConfig,
    accessToken: credentials['token'],
    refresh_token: credentials['refresh_token'],
    token: values.jwt,
    random: values.random,
    endpoint: values.endpoint,
  };
  return {
    now: values.now,
    lookUp(path) {
      const [root, ...rest] = path;
      const step = /^step(\d+)$/.exec(root ?? '');
      let current: unknown = step ? values.answers[Number(step[1]) - 1] : own(roots, root ?? '');
      for (const key of rest) current = own(current, key);
      return current;
    },
  };
}

/** Renders a template, a missing value as a refusal naming the field: the user did not give it. */
export function render(template: CatalogTemplate, scope: CatalogScope, at: string): string {
  try {
    return renderCatalogTemplate(template, scope);
  } catch (error) {
    if (!(error instanceof CatalogTemplateError)) throw error;
    throw new TokenEndpointError('refused', `${at}: ${error.message}`);
  }
}

/**
 * Whether a step's URL goes to a host a user typed, and so through the address guard (net/addressGuard.ts): its host
 * holds a Connection's value (`https://${connectionConfig.hostname}/login`, `${credentials.domain}`), or an answer
 * of a step that went to such a host (`${step1.token_endpoint}`), whose owner chose it. A host the entry writes, or
 * one named by the answer of a host it writes, is the catalog's or the operator's choice and is not guarded.
 */
function hostIsTyped(url: CatalogTemplate, guarded: readonly boolean[]): boolean {
  return hostNamesOf(url).some(([root]) => {
    const step = /^step(\d+)$/.exec(root ?? '');
    return !step || guarded[Number(step[1]) - 1] === true;
  });
}

async function send(
  step: TwoStepRequest,
  scope: CatalogScope,
  options: { readonly timeoutMs: number; readonly guarded: boolean },
  secrets: string[],
): Promise<TwoStepAnswer> {
  const { timeoutMs } = options;
  const url = render(step.url, scope, step.at);
  if (!URL.canParse(url)) throw new TokenEndpointError('refused', `${step.at}: the URL made is not a URL`);
  const target = new URL(url);
  const guard = options.guarded ? guardOf(target, step.at) : {};
  const headers = new Headers();
  for (const [name, template] of step.headers) headers.set(name, render(template, scope, `${step.at}: header ${name}`));
  const params = step.params === undefined ? undefined : valueOf(step.params, scope, `${step.at} params`);
  let body: string | undefined;
  if (step.method === 'GET' || params === undefined) {
    if (isObject(params)) for (const [key, value] of Object.entries(params)) target.searchParams.set(key, textOf(value));
  } else if (step.bodyFormat === 'form') {
    body = new URLSearchParams(
      Object.entries(isObject(params) ? params : {}).map(([k, v]): [string, string] => [k, textOf(v)]),
    ).toString();
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  } else {
    body = JSON.stringify(params);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  let status: number;
  let text: string;
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const init = { ...guard, method: step.method, headers, ...(body !== undefined && { body }), signal };
    const call = () => fetch(target, init);
    const response = await inHttpClientSpan(step.method, target.href, call, { 'nango.token_request': 'two_step' });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const refusal = addressRefusal(error);
    if (refusal) throw new TokenEndpointError('refused', `${step.at}: ${refusal.message}`, { cause: refusal });
    throw new TokenEndpointError('transient', `${step.at}: ${describeFetchError(error, timeoutMs)}`, { cause: error });
  }
  return readAnswer(step.at, status, text, secrets);
}

/** fetch's options through the address guard; a host that is a refused address is refused before any request. */
function guardOf(target: URL, at: string): RequestInit {
  try {
    return guardedFetchOptions(target);
  } catch (error) {
    const refusal = addressRefusal(error);
    if (refusal) throw new TokenEndpointError('refused', `${at}: ${refusal.message}`, { cause: refusal });
    throw error;
  }
}

function readAnswer(at: string, status: number, text: string, secrets: readonly string[]): TwoStepAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status >= 200 && status < 300) return isObject(json) ? json : typeof json === 'string' ? json : text.trim();
  const reason = isObject(json)
    ? [json['error'], json['error_description'], json['message']].filter((part) => typeof part === 'string').join(': ')
    : '';
  const scrubbed = scrubSecrets(reason, secrets).slice(0, 300);
  const message = `${at}: HTTP ${status}${scrubbed ? ` ${scrubbed}` : ''}`;
  if (isTransientStatus(status)) throw new TokenEndpointError('transient', message);
  if (status === 401 || status === 403) throw new TokenEndpointError('rejected', message);
  throw new TokenEndpointError('refused', message);
}

/** The params as sent: templates rendered, literals and nested objects (a JSON body's) kept as the catalog wrote them. */
function valueOf(value: TwoStepValue, scope: CatalogScope, at: string): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'template':
      return render(value.template, scope, at);
    case 'object':
      return Object.fromEntries(value.fields.map(([key, item]) => [key, valueOf(item, scope, `${at}.${key}`)]));
  }
}

function jwtParts(jwt: NonNullable<TwoStepSettings['jwt']>, scope: CatalogScope, now: Date): Parameters<typeof signJwt> {
  const fields = (list: typeof jwt.header) =>
    Object.fromEntries(
      list
        .map(([key, template]) => [key, renderCatalogTemplateOrUndefined(template, scope)] as const)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, value] as const),
    ) as Record<string, string>;
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload = { ...fields(jwt.payload), iat: issuedAt, exp: issuedAt + Math.floor(jwt.expiresInMs / 1000) };
  return [fields(jwt.header), payload, render(jwt.signingKey, scope, 'token.signing_key')];
}

/** An optional JWT claim (`sub` for a service account without delegation): left out when its value is not given. */
function renderCatalogTemplateOrUndefined(template: CatalogTemplate, scope: CatalogScope): string | undefined {
  try {
    return renderCatalogTemplate(template, scope);
  } catch (error) {
    if (error instanceof CatalogTemplateError) return undefined;
    throw error;
  }
}

/** Every string credential: the provider may echo any of them in its error text. */
function secretsOf(connection: NangoConnection): string[] {
  return Object.values(connection.credentials).filter((value): value is string => typeof value === 'string');
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(container: unknown, key: string): unknown {
  return isObject(container) && Object.hasOwn(container, key) ? container[key] : undefined;
}
