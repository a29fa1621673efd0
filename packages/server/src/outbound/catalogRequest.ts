import type { NangoConnection } from '@nangohq/protocol';
import { translateCatalogTemplate } from '../config/applyProvider';
import { baseUrlHost } from '../config/baseUrlHost';
import { compileTemplate } from '../config/compileTemplate';
import { renderTemplate } from '../config/renderTemplate';
import type { IntegrationConfig, Template } from '../config/types';
import { WorkerError } from '../errors';

/**
 * Requests a catalog entry describes besides the API calls (its `proxy.verification`, its `post_connection` steps)
 * are made as an action's httpRequest is, through performHttpRequest: the same authorisation, host checks and
 * redirect rules. These helpers turn the entry's templated strings (`${connectionConfig.x}`, `${apiKey}`,
 * `${credentials.username}`, …) into what performHttpRequest takes, compiled once per entry and mode.
 */

const compiled = new WeakMap<object, Map<string, Template>>();

/**
 * The integration as the request sees it: its own base URL, or `baseUrl` (a catalog string, with the placeholder rules
 * of base_url: a per-tenant value fills one DNS label of a host whose domain is written), and `timeoutMs` as its
 * time limit.
 * @throws WorkerError `internal_error` when the catalog string cannot be compiled (names the entry and field)
 */
export function catalogRequestTarget(
  integration: IntegrationConfig,
  connection: NangoConnection,
  baseUrl: string | undefined,
  timeoutMs: number,
  field: string,
): IntegrationConfig {
  // The integration's headers and query params that need a per-tenant value the Connection does not have yet (Xero's
  // tenant id header, before the post-connection step that reads it) are left out of these calls.
  const target = {
    ...integration,
    httpTimeoutMs: timeoutMs,
    headers: withValuesOf(integration.headers, connection),
    queryParams: withValuesOf(integration.queryParams, connection),
  };
  if (baseUrl === undefined || baseUrl === '') return target;
  return { ...target, baseUrl: catalogTemplate(integration, baseUrl, field, true) };
}

/** The templates whose per-tenant values the Connection has. */
function withValuesOf(templates: ReadonlyMap<string, Template>, connection: NangoConnection): ReadonlyMap<string, Template> {
  const has = (path: readonly string[]): boolean => {
    let current: unknown = connection.additionalConfig;
    for (const key of path) {
      if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return false;
      current = (current as Record<string, unknown>)[key];
    }
    return current !== undefined && current !== null;
  };
  const kept = [...templates].filter(([, template]) =>
    template.parts.every((part) => typeof part === 'string' || part.kind !== 'config' || has(part.path)),
  );
  return kept.length === templates.size ? templates : new Map(kept);
}

/** The catalog's headers for the request, each rendered for the Connection. */
export function renderCatalogHeaders(
  integration: IntegrationConfig,
  connection: NangoConnection,
  headers: Readonly<Record<string, unknown>> | undefined,
  field: string,
): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') continue;
    rendered[name] = renderTemplate(catalogTemplate(integration, value, `${field}.${name}`, false), connection);
  }
  return rendered;
}

/**
 * A catalog endpoint (a path, or a URL within base_url's origin) rendered for the Connection, each placeholder's value
 * percent-encoded so that it stays one path segment (or query value) whatever it holds. A credential may stand in it
 * only when it is no secret: a user name the entry does not mark `secret` (Twilio's account SID). A key, a password
 * or a token in a URL would show wherever URLs do (traces, logs, the provider's access logs).
 * @throws WorkerError `internal_error` naming the entry, the field and the credential when one would be put there
 */
export function renderCatalogPath(
  integration: IntegrationConfig,
  connection: NangoConnection,
  text: string,
  field: string,
): string {
  const template = catalogTemplate(integration, text, field, false);
  return template.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind === 'credential' && !isPublicCredential(integration, part.field)) {
        throw new WorkerError(
          'internal_error',
          `${template.path} puts the ${part.field} credential in a URL, which this server does not send (a URL shows in traces and logs)`,
        );
      }
      return encodeURIComponent(renderTemplate({ source: template.source, path: template.path, parts: [part] }, connection));
    })
    .join('');
}

/** Whether a credential field may stand in a URL: only a user name its catalog entry does not call a secret. */
function isPublicCredential(integration: IntegrationConfig, field: string): boolean {
  if (field !== 'username') return false;
  const described = (integration.provider?.credentials as Record<string, { secret?: unknown } | undefined> | undefined)?.[
    'username'
  ];
  return described?.secret !== true;
}

/**
 * A catalog body (a verification's or a post-connection step's `data`) with every text in it rendered for the
 * Connection: credentials may stand in a body, which is never logged.
 */
export function renderCatalogBody(
  integration: IntegrationConfig,
  connection: NangoConnection,
  data: unknown,
  field: string,
): unknown {
  if (typeof data === 'string') {
    return data.includes('${') ? renderTemplate(catalogTemplate(integration, data, field, false), connection) : data;
  }
  if (Array.isArray(data))
    return data.map((item, index) => renderCatalogBody(integration, connection, item, `${field}[${index}]`));
  if (typeof data !== 'object' || data === null) return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, renderCatalogBody(integration, connection, value, `${field}.${key}`)]),
  );
}

/**
 * One catalog string compiled as integrations.yaml's templates are, for the integration's auth mode.
 * @throws WorkerError `internal_error` naming the catalog entry and field when it cannot be (an unknown placeholder)
 */
function catalogTemplate(integration: IntegrationConfig, text: string, field: string, baseUrl: boolean): Template {
  const owner = integration.provider ?? integration;
  let templates = compiled.get(owner);
  if (!templates) compiled.set(owner, (templates = new Map()));
  const key = `${integration.authMode}\u0000${baseUrl}\u0000${field}\u0000${text}`;
  const known = templates.get(key);
  if (known) return known;
  const path = `providers.${integration.provider?.name ?? integration.name}.${field}`;
  const { template, problems } = compileTemplate(translateCatalogTemplate(text), {
    path,
    authMode: integration.authMode,
    env: {},
    baseUrl,
  });
  const hostProblem = baseUrl && problems.length === 0 ? baseUrlHost(template).problem : undefined;
  if (hostProblem) problems.push(hostProblem);
  if (problems.length > 0) {
    throw new WorkerError(
      'internal_error',
      `${path} cannot be used for integration ${integration.name}: ${problems.join('; ')} (fix the providers catalog)`,
    );
  }
  templates.set(key, template);
  return template;
}
