import type { Provider } from '../../src/providers/Provider';
import {
  closedValues,
  connectionConfigFields,
  credentialFields,
  fieldsOf,
  isAsked,
  isRequired,
  valueProblem,
} from '../../src/providers/fieldDescriptions';

/** A Zendesk-like entry, as Nango's providers.yaml writes one. */
const zendesk = {
  name: 'zendesk-like',
  auth_mode: 'OAUTH2',
  connection_config: {
    subdomain: {
      type: 'string',
      title: 'Zendesk Domain',
      description: 'The subdomain of your Zendesk account',
      pattern: '^[a-z0-9_-]+$',
      example: 'domain',
      prefix: 'https://',
      suffix: '.zendesk.com',
      doc_section: '#step-1',
    },
    region: { type: 'string', title: 'Region', enum: ['us', 'eu'], order: 1 },
    instance_url: { type: 'string', title: 'Instance URL', format: 'uri', automated: true },
    flag: { type: 'string', title: 'Flag', default_value: 'X', hidden: true },
    note: { type: 'string', title: 'Note', optional: true, example: 7 },
    broken: 'not a mapping',
  },
  credentials: { apiKey: { type: 'string', title: 'API token', secret: true, pattern: '^tok_[a-z0-9]+$' } },
} as unknown as Provider;

describe('catalog field descriptions', () => {
  it('reads connection_config and credentials in form order: ordered fields first, then as declared', () => {
    const fields = connectionConfigFields(zendesk);
    expect(fields.map((field) => field.name)).toEqual(['region', 'subdomain', 'instance_url', 'flag', 'note']);
    expect(fields[1]).toEqual({
      name: 'subdomain',
      title: 'Zendesk Domain',
      description: 'The subdomain of your Zendesk account',
      pattern: '^[a-z0-9_-]+$',
      example: 'domain',
      prefix: 'https://',
      suffix: '.zendesk.com',
      doc_section: '#step-1',
    });
    // A number where text is expected is kept as text; a field that is not a mapping is skipped.
    expect(fields[4]).toMatchObject({ name: 'note', example: '7', optional: true });
    expect(credentialFields(zendesk)).toEqual([{ name: 'apiKey', title: 'API token', secret: true, pattern: '^tok_[a-z0-9]+$' }]);
    expect(fieldsOf(undefined)).toEqual([]);
    expect(fieldsOf(['a'])).toEqual([]);
  });

  it('says which fields are asked and which required', () => {
    const byName = Object.fromEntries(connectionConfigFields(zendesk).map((field) => [field.name, field]));
    expect(
      Object.values(byName)
        .filter(isAsked)
        .map((field) => field.name),
    ).toEqual(['region', 'subdomain', 'note']);
    expect(
      Object.values(byName)
        .filter(isRequired)
        .map((field) => field.name),
    ).toEqual(['region', 'subdomain']);
  });

  it('checks a value against the pattern, format and allowed values, naming the rule and never the value', () => {
    const [region, subdomain, instanceUrl] = connectionConfigFields(zendesk);
    expect(valueProblem(subdomain!, 'acme')).toBeUndefined();
    expect(valueProblem(subdomain!, 'evil.example/x?')).toBe('does not match the pattern ^[a-z0-9_-]+$, e.g. domain');
    expect(valueProblem(region!, 'eu')).toBeUndefined();
    expect(valueProblem(region!, 'apac')).toBe('must be one of us, eu');
    expect(valueProblem(instanceUrl!, 'https://acme.example.com')).toBeUndefined();
    expect(valueProblem(instanceUrl!, 'not a url')).toBe('must be a URL');
    const [apiKey] = credentialFields(zendesk);
    // A secret's example is never quoted either.
    expect(valueProblem(apiKey!, 'sk_live_wrong')).toBe('does not match the pattern ^tok_[a-z0-9]+$');
  });

  it('checks the hostname, uuid and email formats as the Connect page does', () => {
    const field = (format: string) => ({ name: 'x', format });
    expect(valueProblem(field('hostname'), 'acme.example.com')).toBeUndefined();
    expect(valueProblem(field('hostname'), 'acme.example.com/path')).toBe("must be a host name (letters, digits, '.' and '-')");
    expect(valueProblem(field('uuid'), '123e4567-e89b-12d3-a456-426614174000')).toBeUndefined();
    expect(valueProblem(field('uuid'), '123')).toBe('must be a UUID');
    expect(valueProblem(field('email'), 'ann@example.com')).toBeUndefined();
    expect(valueProblem(field('email'), 'ann')).toBe('must be an email address');
    expect(valueProblem(field('something-else'), 'anything')).toBeUndefined();
  });

  it("does not check a pattern JavaScript cannot compile (one of Nango's), rather than refusing every value", () => {
    expect(valueProblem({ name: 'apiKey', pattern: '^[a-z\\\\-+=]+$' }, 'whatever')).toBeUndefined();
  });

  it('lists the fields whose values the catalog closes with an enum', () => {
    expect([...closedValues(zendesk)]).toEqual([['region', ['us', 'eu']]]);
  });
});
