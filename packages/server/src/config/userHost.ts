/**
 * Hosts a user types: a URL whose host (or its domain) is a Connection's value, `https://${connectionConfig.hostname}`
 * for a self-hosted GitLab, Jira or Mattermost (see baseUrlHost's `userHostParts`). The rules that make them safe,
 * and where each is kept (docs/integrations-yaml.md, "Hosts a user types"):
 * 1. the value is a host name (this file), checked when the Connection is made and at every request;
 * 2. it is fixed when the Connection is made: a config update may not change it (operations/updateConnectionConfig.ts);
 * 3. every request to it (token requests included) passes the address guard after DNS resolution (net/addressGuard.ts);
 * 4. the integration's own OAuth client secret is never sent to it (oauth/flow/interpolateUrl.ts).
 */
import { isIP } from 'node:net';
import { baseUrlHost } from './baseUrlHost';
import { canonicalHost } from './hostAddresses';
import type { Template } from './types';

/** One DNS label: letters, digits, inner hyphens. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why a URL's host, made with a Connection's values, is not a host name a user may type; undefined when it is. An IP
 * address is refused in every form WHATWG URL reads one (`0x7f.1`, `[::1]`): a self-hosted instance has a name, and
 * a name is what the address guard resolves and checks.
 */
export function userHostProblem(url: URL): string | undefined {
  const host = canonicalHost(url.hostname);
  if (host.startsWith('[') || isIP(host) !== 0) return 'is an IP address; a host name is needed (e.g. gitlab.example.com)';
  const labels = host.split('.');
  if (host.length > 253 || !labels.every((label) => DNS_LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    return "is not a host name (labels of letters, digits and inner '-', separated by dots)";
  }
  return undefined;
}

/** Whether a compiled base_url's host (or its domain) is made of a Connection's values. */
export function hasUserHost(template: Template): boolean {
  return baseUrlHost(template).userHostParts.size > 0;
}

/** The Connection config keys (first segment of `${additionalConfig.key}`) that make up a compiled URL's host. */
export function userHostKeys(template: Template): string[] {
  const { userHostParts } = baseUrlHost(template);
  return [...userHostParts].flatMap((index) => {
    const part = template.parts[index];
    return part !== undefined && typeof part !== 'string' && part.kind === 'config' && part.path[0] !== undefined
      ? [part.path[0]]
      : [];
  });
}
