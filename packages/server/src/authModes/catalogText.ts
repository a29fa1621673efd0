import type { NangoConnection } from '@nangohq/protocol';
import { translateCatalogTemplate } from '../config/applyProvider';
import { compileTemplate } from '../config/compileTemplate';
import { hasUserHost, userHostProblem } from '../config/userHost';
import { renderTemplate } from '../config/renderTemplate';
import type { IntegrationConfig, Template } from '../config/types';
import { WorkerError } from '../errors';

const compiled = new Map<string, Template>();

/**
 * A string of the integration's catalog entry (a token URL, a token parameter) filled with the Connection's config:
 * `${connectionConfig.x}` is `additionalConfig.x`. A URL takes base_url's rules (a per-tenant value fills one DNS
 * label of a host whose domain the entry writes), so no Connection can send its client secret elsewhere; a host the
 * user types whole (`https://${connectionConfig.hostname}/oauth/token`) is refused unless `userHost` is set: the
 * caller then sends only the Connection's own client there, through the address guard (config/userHost.ts), and the
 * rendered host must be a host name.
 * @returns the text, or undefined when it names a config value the Connection does not have and `optional` is set
 * @throws WorkerError `http_request_invalid` naming the entry's field and the placeholder (never a value)
 */
export function renderCatalogText(
  integration: IntegrationConfig,
  connection: NangoConnection,
  text: string,
  field: string,
  options: { url?: boolean; optional?: boolean; userHost?: boolean } = {},
): string | undefined {
  if (!text.includes('${')) return text;
  const path = `providers.${integration.provider?.name ?? integration.name}.${field}`;
  const key = `${integration.authMode}\u0000${path}\u0000${text}`;
  let template = compiled.get(key);
  if (!template) {
    const result = compileTemplate(translateCatalogTemplate(text), {
      path,
      authMode: integration.authMode,
      env: {},
      baseUrl: options.url === true,
    });
    if (result.problems.length > 0) throw new WorkerError('http_request_invalid', `${path}: ${result.problems.join('; ')}`);
    template = result.template;
    compiled.set(key, template);
  }
  // Checked at every call, not once per compiled template: callers differ in whether they may use such a host.
  if (options.url === true && options.userHost !== true && hasUserHost(template)) {
    throw new WorkerError(
      'http_request_invalid',
      `${path}: its host is a value the user types, where this server sends no token request: write the instance's token_url in integrations.yaml`,
    );
  }
  if (options.optional === true && !hasConfigValues(template, connection)) return undefined;
  const rendered = renderTemplate(template, connection, { baseUrl: options.url === true });
  if (options.url === true && hasUserHost(template) && URL.canParse(rendered)) {
    const problem = userHostProblem(new URL(rendered));
    if (problem) throw new WorkerError('http_request_invalid', `${path}: the host made with this connection's values ${problem}`);
  }
  return rendered;
}

/** Whether every config placeholder of the template has a value (not empty) on the Connection. */
function hasConfigValues(template: Template, connection: NangoConnection): boolean {
  return template.parts.every((part) => {
    if (typeof part === 'string' || part.kind !== 'config') return true;
    let current: unknown = connection.additionalConfig;
    for (const key of part.path) {
      if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return false;
      current = (current as Record<string, unknown>)[key];
    }
    return current !== undefined && current !== null && current !== '';
  });
}
