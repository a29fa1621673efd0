import type { Provider } from '../../../providers/Provider';
import { connectionConfigFields, credentialFields, isAsked, type FieldDescription } from '../../../providers/fieldDescriptions';

/** One input of a connect form, as GET /connect/session/integrations sends it to the Connect page. */
export interface FormField {
  name: string;
  title: string;
  description: string | null;
  example: string | null;
  pattern: string | null;
  format: string | null;
  prefix: string | null;
  suffix: string | null;
  enum: string[] | null;
  default_value: string | null;
  /** Not required. A field with a default is not required either: left empty, the default is stored. */
  optional: boolean;
  secret: boolean;
  /** Not shown: its default_value is sent. */
  hidden: boolean;
  /** The link to the provider's guide for this field: docs_connect with the field's doc_section. */
  doc_url: string | null;
}

/** What the Connect page shows for one integration besides its name and mode. */
export interface ConnectForm {
  /** The provider's guide to connecting an account (its `docs_connect`, else its `docs`). */
  docs_connect: string | null;
  /** The per-tenant values to ask, before any redirect: the catalog's connection_config fields but automated ones. */
  connection_config: FormField[];
  /** The credentials to ask (static modes), hidden ones with their default. */
  credentials: FormField[];
}

/**
 * The credential fields each static mode posts (contract B.4), as the official Connect UI asks them when the catalog
 * describes none; a catalog `credentials` entry of the same name describes the field better, and one of another name
 * adds a field (TWO_STEP and JWT entries describe all of theirs).
 */
const MODE_FIELDS: Readonly<Record<string, readonly FieldDescription[]>> = {
  API_KEY: [{ name: 'apiKey', title: 'API key', secret: true }],
  BASIC: [
    { name: 'username', title: 'User name' },
    { name: 'password', title: 'Password', secret: true },
  ],
  SIGNATURE: [
    { name: 'username', title: 'User name' },
    { name: 'password', title: 'Password', secret: true },
  ],
  OAUTH2_CC: [
    { name: 'client_id', title: 'Client id' },
    { name: 'client_secret', title: 'Client secret', secret: true },
  ],
  TBA: [
    { name: 'token_id', title: 'Token id', secret: true },
    { name: 'token_secret', title: 'Token secret', secret: true },
  ],
  BILL: [
    { name: 'username', title: 'User name' },
    { name: 'password', title: 'Password', secret: true },
    { name: 'organization_id', title: 'Organization id' },
    { name: 'dev_key', title: 'Developer key', secret: true },
  ],
  AWS_SIGV4: [
    { name: 'role_arn', title: 'IAM role ARN', example: 'arn:aws:iam::123456789012:role/NangoAccessRole' },
    { name: 'region', title: 'AWS region', example: 'us-east-1', optional: true },
  ],
};

/**
 * The connect form of an integration whose catalog entry is `provider`, for the catalog auth mode `mode`: the
 * per-tenant fields to ask (not automated, not hidden, not set by the connect session's defaults, which win), then
 * the credentials of a static mode. OAuth modes ask no credentials: the provider's sign-in does.
 * @param preset the connection_config keys the connect session sets (integrations_config_defaults)
 * @param holdsClient the integration holds its own OAuth client (id and secret): an OAUTH2_CC Connection may use it,
 *   so the user's client_id and client_secret are optional (authModes/oauth2ClientCredentials.ts takes the
 *   integration's client when the user gives no secret)
 */
export function connectFormOf(
  provider: Provider | undefined,
  mode: string,
  preset: ReadonlySet<string>,
  holdsClient = false,
): ConnectForm {
  const docs = provider?.docs_connect ?? provider?.docs ?? null;
  // Anchors are of the guide written for these fields: only with a docs_connect.
  const guide = provider?.docs_connect ?? null;
  const config = connectionConfigFields(provider).filter((field) => isAsked(field) && !preset.has(field.name));
  return {
    docs_connect: docs,
    connection_config: config.map((field) => formField(field, guide)),
    credentials: credentialsOf(provider, mode, holdsClient).map((field) => formField(field, guide)),
  };
}

/** The modes whose credentials a person types: MODE_FIELDS's, and those whose catalog entries describe them all. */
const TYPED_MODES: ReadonlySet<string> = new Set([...Object.keys(MODE_FIELDS), 'TWO_STEP', 'JWT']);

/**
 * An OAUTH2_CC entry whose client authenticates with a private_key_jwt assertion (Okta's): the client signs with its
 * key and has no secret, so the form asks the id and the key (the entry's description of it, if any, wins).
 */
const CC_KEY_FIELDS: readonly FieldDescription[] = [
  { name: 'client_id', title: 'Client id' },
  { name: 'client_private_key', title: 'Private key (PEM, or a private JWK)', secret: true },
];

/** What an OAUTH2_CC client field says when the integration's own client is used if it is left empty. */
const CC_OPTIONAL_NOTE = "Left empty, the integration's own client is used.";

function credentialsOf(provider: Provider | undefined, mode: string, holdsClient: boolean): FieldDescription[] {
  if (!TYPED_MODES.has(mode)) return [];
  const described = credentialFields(provider).filter((field) => field.automated !== true);
  const byName = new Map(described.map((field) => [field.name, field]));
  const byKey = mode === 'OAUTH2_CC' && provider?.token_request_auth_method === 'private_key_jwt';
  const base = ((byKey ? CC_KEY_FIELDS : MODE_FIELDS[mode]) ?? []).map((field) => ({ ...field, ...byName.get(field.name) }));
  const names = new Set(base.map((field) => field.name));
  const fields = [...base, ...described.filter((field) => !names.has(field.name))];
  // A signing entry needs the user's key whatever the integration holds: an integration has no private key.
  if (mode !== 'OAUTH2_CC' || byKey || !holdsClient) return fields;
  return fields.map((field) =>
    field.name === 'client_id' || field.name === 'client_secret'
      ? {
          ...field,
          optional: true,
          description: field.description ? `${field.description} ${CC_OPTIONAL_NOTE}` : CC_OPTIONAL_NOTE,
        }
      : field,
  );
}

function formField(field: FieldDescription, guide: string | null): FormField {
  return {
    name: field.name,
    title: field.title || field.name,
    description: field.description || null,
    example: field.example ?? null,
    pattern: field.pattern ?? null,
    format: field.format ?? null,
    prefix: field.prefix ?? null,
    suffix: field.suffix ?? null,
    enum: field.enum && field.enum.length > 0 ? [...field.enum] : null,
    default_value: field.default_value ?? null,
    optional: field.optional === true,
    secret: field.secret === true,
    hidden: field.hidden === true,
    doc_url: guide && field.doc_section ? `${guide}${field.doc_section}` : null,
  };
}
