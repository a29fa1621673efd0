import { CONNECT_PAGE_FIELDS_JS } from '../../src/api/routes/connect/page/connectPageFields';
import { connectFormOf, type FormField } from '../../src/api/routes/connect/connectForm';
import { checkConnectionConfig } from '../../src/operations/checkConnectionConfig';
import type { Provider } from '../../src/providers/Provider';

/** The page's own check, run here as the browser runs it (its script text, evaluated). */
const pageProblemOf = new Function(`${CONNECT_PAGE_FIELDS_JS}; return problemOf;`)() as (
  field: FormField,
  value: string,
) => string | null;

const fields: Record<string, Record<string, unknown>> = {
  subdomain: { type: 'string', title: 'Subdomain', pattern: '^[a-z0-9-]+$', example: 'acme' },
  region: { type: 'string', title: 'Region', enum: ['us', 'eu'] },
  host: { type: 'string', title: 'Host', format: 'hostname' },
  site: { type: 'string', title: 'Site', format: 'uri', optional: true },
  id: { type: 'string', title: 'Id', format: 'uuid' },
  mail: { type: 'string', title: 'Mail', format: 'email' },
  dc: { type: 'string', title: 'Data centre', default_value: 'us1', pattern: '^[a-z]+[0-9]+$' },
  broken: { type: 'string', title: 'Broken', pattern: '^[a-z\\\\-+=]+$' },
};
const provider = { name: 'p', auth_mode: 'API_KEY', connection_config: fields } as unknown as Provider;

const values = [
  '',
  'acme',
  'Acme.evil.example',
  'us',
  'apac',
  'example.com',
  'https://example.com/x',
  'not a url',
  '123e4567-e89b-12d3-a456-426614174000',
  'ann@example.com',
  'eu2',
  '../x',
];

describe("the Connect page's field check agrees with the server's", () => {
  const form = connectFormOf(provider, 'API_KEY', new Set()).connection_config;

  it.each(form.map((field) => [field.name, field] as const))(
    '%s: the page refuses exactly what the server refuses',
    (name, field) => {
      for (const value of values) {
        let serverRefuses = false;
        try {
          checkConnectionConfig(provider, { ...defaultsBut(name), [name]: value }, { where: (key) => key, complete: true });
        } catch {
          serverRefuses = true;
        }
        expect([value, pageProblemOf(field, value) !== null]).toEqual([value, serverRefuses]);
      }
    },
  );

  /** Good values for every other field, so that only `name`'s decides. */
  function defaultsBut(name: string): Record<string, string> {
    const good: Record<string, string> = {
      subdomain: 'acme',
      region: 'us',
      host: 'example.com',
      id: '123e4567-e89b-12d3-a456-426614174000',
      mail: 'ann@example.com',
      broken: 'x',
    };
    delete good[name];
    return good;
  }

  it('words a problem for a person, naming the field and its rule, never the value', () => {
    const subdomain = form.find((field) => field.name === 'subdomain') as FormField;
    expect(pageProblemOf(subdomain, 'Acme.evil.example')).toBe(
      'Subdomain is not in the expected form, e.g. acme (it must match ^[a-z0-9-]+$).',
    );
    expect(pageProblemOf(subdomain, '')).toBe('Subdomain is required.');
    expect(pageProblemOf(form.find((field) => field.name === 'region') as FormField, 'apac')).toBe(
      'Region must be one of us, eu.',
    );
  });
});
