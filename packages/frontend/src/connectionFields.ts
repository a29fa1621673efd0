/**
 * The per-tenant fields of an integration (its catalog entry's `connection_config`), as the server describes them to
 * a connect session (`GET /connect/session/integrations`), and the check the server makes of `params` against them:
 * required unless optional or defaulted, one of the allowed values, the format, the pattern. auth() runs it before
 * the popup goes anywhere, so a value the server would refuse never reaches the provider.
 */
export interface ConnectionField {
  name: string;
  title: string;
  description: string | null;
  example: string | null;
  pattern: string | null;
  format: string | null;
  enum: string[] | null;
  default_value: string | null;
  optional: boolean;
  secret: boolean;
}

const FORMATS: Record<string, { test: (value: string) => boolean; name: string }> = {
  hostname: { test: (value) => /^[A-Za-z0-9.-]+$/.test(value), name: "a host name (letters, digits, '.' and '-')" },
  uuid: { test: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value), name: 'a UUID' },
  email: { test: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), name: 'an email address' },
  uri: { test: (value) => URL.canParse(value), name: 'a URL' },
};

/**
 * Every problem of `params` against `fields`, worded as the server words them (`params[subdomain] (Subdomain) does
 * not match the pattern ^[a-z0-9-]+$, e.g. acme`), naming the field and its rule, never the value.
 */
export function paramsProblems(fields: readonly ConnectionField[], params: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const value = Object.prototype.hasOwnProperty.call(params, field.name) ? (params[field.name] ?? '') : '';
    const name = field.title ? `params[${field.name}] (${field.title})` : `params[${field.name}]`;
    if (value === '') {
      if (!field.optional && field.default_value === null) {
        const hint = [field.description?.replace(/\.$/, ''), field.example && !field.secret ? `e.g. ${field.example}` : '']
          .filter(Boolean)
          .join(', ');
        problems.push(`${name} is required${hint ? `: ${hint}` : ''}`);
      }
      continue;
    }
    const problem = valueProblem(field, value);
    if (problem) problems.push(`${name} ${problem}`);
  }
  return problems;
}

function valueProblem(field: ConnectionField, value: string): string | undefined {
  if (field.enum && field.enum.length > 0 && !field.enum.includes(value)) return `must be one of ${field.enum.join(', ')}`;
  const example = field.example !== null && !field.secret ? `, e.g. ${field.example}` : '';
  const format =
    field.format !== null && Object.prototype.hasOwnProperty.call(FORMATS, field.format) ? FORMATS[field.format] : undefined;
  if (format && !format.test(value)) return `must be ${format.name}${example}`;
  let pattern: RegExp | undefined;
  try {
    pattern = field.pattern === null ? undefined : new RegExp(field.pattern);
  } catch {
    pattern = undefined; // the server does not check a pattern JavaScript cannot compile either
  }
  if (pattern && !pattern.test(value)) return `does not match the pattern ${field.pattern ?? ''}${example}`;
  return undefined;
}
