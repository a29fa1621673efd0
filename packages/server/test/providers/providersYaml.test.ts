import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Provider } from '../../src/providers/Provider';
import { BUILTIN_PROVIDERS_FILE, loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { validateProvidersShape } from '../../src/providers/providerSchema';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { catalogRequestTarget, renderCatalogHeaders, renderCatalogPath } from '../../src/outbound/catalogRequest';
import { parsePostConnection } from '../../src/providers/postConnectionSteps';
import { connectionConfigFields } from '../../src/providers/fieldDescriptions';

/** The shipped providers.yaml: every entry complete for its auth mode, every URL and placeholder sound. */
const raw: unknown = parse(readFileSync(BUILTIN_PROVIDERS_FILE, 'utf8'));
const catalog = loadProviderCatalog({});
const providers = catalog.list();

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** A templated URL with each placeholder as a plausible value, so it can be checked as a URL. */
function withDummies(url: string): string {
  return url.replace(/^\$\{[^}]*\}/, 'https://tenant.example.com').replace(PLACEHOLDER, 'x');
}

function isHttpUrl(url: string | undefined): boolean {
  if (url === undefined || !URL.canParse(withDummies(url))) return false;
  return new URL(withDummies(url)).protocol === 'https:';
}

/** Every templated string of an entry, with where it is. */
function templated(provider: Provider): [string, string][] {
  const found: [string, string][] = [];
  const walk = (value: unknown, at: string): void => {
    if (typeof value === 'string' && value.includes('${')) found.push([at, value]);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) walk(child, `${at}.${key}`);
    }
  };
  walk({ ...provider, connection_config: undefined }, provider.name);
  return found;
}

describe('providers.yaml', () => {
  it('matches the schema, as a whole', () => {
    expect(validateProvidersShape(raw)).toEqual([]);
  });

  it('has at least 60 providers, the ones the issue names among them', () => {
    expect(providers.length).toBeGreaterThanOrEqual(60);
    const names = [
      'github',
      'google',
      'slack',
      'salesforce',
      'hubspot',
      'notion',
      'linear',
      'asana',
      'jira',
      'zendesk',
      'shopify',
      'stripe',
      'twitter',
      'twitter-v2',
      'trello',
      'microsoft',
      'dropbox',
      'box',
      'intercom',
      'airtable',
      'discord',
      'zoom',
      'gitlab',
      'bitbucket',
    ];
    expect(names.filter((name) => catalog.get(name) === undefined)).toEqual([]);
  });

  it.each(providers.map((provider) => [provider.name, provider] as const))(
    '%s has what its auth mode needs',
    (_name, provider) => {
      const missing: string[] = [];
      const need = (field: string, ok: boolean): void => {
        if (!ok) missing.push(field);
      };
      need('display_name', typeof provider.display_name === 'string');
      need('docs (an https URL)', isHttpUrl(provider.docs));
      need('proxy.base_url (an https URL)', isHttpUrl(provider.proxy?.base_url));
      // Our base_url takes a per-Connection value only inside a fixed scheme and host, never as the whole URL.
      need('proxy.base_url starting with its scheme', provider.proxy?.base_url?.startsWith('https://') === true);
      switch (provider.auth_mode) {
        case 'OAUTH2':
          need('authorization_url', isHttpUrl(provider.authorization_url));
          need('token_url', isHttpUrl(provider.token_url));
          need('scope_separator of one space or comma', [undefined, ' ', ','].includes(provider.scope_separator));
          break;
        case 'OAUTH1':
          need('request_url', isHttpUrl(provider.request_url));
          need('authorization_url', isHttpUrl(provider.authorization_url));
          need('token_url', isHttpUrl(provider.token_url));
          break;
        case 'API_KEY': {
          const places = [...Object.values(provider.proxy?.headers ?? {}), ...Object.values(provider.proxy?.query ?? {})];
          need(
            '${apiKey} in proxy.headers or proxy.query',
            places.some((value) => value.includes('${apiKey}')),
          );
          break;
        }
        case 'BASIC':
        case 'TBA':
        case 'AWS_SIGV4':
          break;
        default:
          missing.push(`a supported auth_mode, not ${provider.auth_mode}`);
      }
      for (const url of [provider.refresh_url, provider.revocation_url]) {
        if (url !== undefined) need(`an https URL, not ${url}`, isHttpUrl(url));
      }
      expect(missing).toEqual([]);
    },
  );

  it.each(providers.map((provider) => [provider.name, provider] as const))(
    '%s uses only placeholders it declares',
    (_name, provider) => {
      const declared = new Set([...Object.keys(provider.connection_config ?? {}), ...(provider.token_response_metadata ?? [])]);
      const wrong: string[] = [];
      for (const [at, text] of templated(provider)) {
        for (const [, inner = ''] of text.matchAll(PLACEHOLDER)) {
          const config = /^connectionConfig\.(.+)$/.exec(inner)?.[1];
          if (config !== undefined ? !declared.has(config) : !['accessToken', 'apiKey'].includes(inner)) {
            wrong.push(`${at}: \${${inner}}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  const withRequests = providers.filter(
    (provider) => provider.proxy?.verification !== undefined || provider.post_connection !== undefined,
  );

  it('has verification requests and post-connection steps where the providers document them', () => {
    const names = (key: 'verification' | 'post_connection') =>
      providers
        .filter((provider) => (key === 'verification' ? provider.proxy?.verification : provider.post_connection) !== undefined)
        .map((provider) => provider.name);
    expect(names('verification')).toEqual(
      expect.arrayContaining(['openai', 'anthropic', 'sendgrid', 'sentry', 'stripe-api-key', 'twilio', 'freshdesk']),
    );
    expect(names('post_connection')).toEqual(
      expect.arrayContaining(['jira', 'confluence', 'xero', 'mailchimp', 'basecamp', 'salesforce', 'docusign', 'twitch']),
    );
  });

  it.each(withRequests.map((provider) => [provider.name, provider] as const))(
    '%s: its verification and post-connection requests compile for its auth mode and render for a Connection',
    (name, provider) => {
      expect(parsePostConnection(provider.post_connection).problems).toEqual([]);
      const compiled = parseIntegrationsConfig(`integrations:\n  it:\n    provider: ${name}\n`, {
        sourceName: 'test',
        integrationsDir: '/nonexistent',
        env: {},
        providers: catalog,
      }).integrations.get('it');
      if (!compiled) throw new Error(`${name} does not compile as an integration`);
      const config = Object.fromEntries(connectionConfigFields(provider).map((field) => [field.name, field.example ?? 'x1']));
      const credentials = {
        raw: {},
        api_key: 'k',
        username: 'AC0123456789abcdef0123456789abcdef',
        password: 'p',
        access_token: 't',
      };
      const connection = {
        uuid: 'u',
        integration: 'it',
        userId: 'user',
        dateCreated: '',
        lastModified: '',
        additionalConfig: config,
        authorization: 'ok' as const,
        credentials,
      };
      const verification = provider.proxy?.verification as
        { endpoints?: string[]; headers?: Record<string, string>; base_url_override?: string } | undefined;
      for (const endpoint of verification?.endpoints ?? []) {
        expect(renderCatalogPath(compiled, connection, endpoint, 'proxy.verification.endpoints')).toMatch(/^\//);
      }
      renderCatalogHeaders(compiled, connection, verification?.headers, 'proxy.verification.headers');
      catalogRequestTarget(compiled, connection, verification?.base_url_override, 1000, 'proxy.verification.base_url_override');
      for (const [index, step] of parsePostConnection(provider.post_connection).steps.entries()) {
        catalogRequestTarget(compiled, connection, step.baseUrl, 1000, `post_connection[${index}].base_url`);
        renderCatalogHeaders(compiled, connection, step.headers, `post_connection[${index}].headers`);
        if (step.endpoint) expect(renderCatalogPath(compiled, connection, step.endpoint, 'endpoint')).toMatch(/^\//);
      }
    },
  );
});
