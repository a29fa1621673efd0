import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { withoutRefreshToken } from '../../../operations/getConnection';
import { connectionNotFound, WorkerError } from '../../../errors';
import type { IntegrationConfig } from '../../../config/types';
import { checkConnectionConfig } from '../../../operations/checkConnectionConfig';
import { prepareConnection, type GivenCredentials, type PreparedConnection } from '../../../operations/prepareCredentials';
import { requireIntegration } from '../../../operations/OperationContext';
import { saveConnection } from '../../../operations/saveConnection';
import type { ApiContext } from '../../ApiContext';
import { END_USER_SCHEMA, endUserOf, TAGS_SCHEMA, type EndUserBody } from './patchConnection';
import { CONNECTION_ID, modernFields, PROVIDER_CONFIG_KEY } from './connectionObject';
import { copyConnection } from '../../../store/storedConfig';
import { connectionReplyJson } from './connectionReply';
import { importedCredentials } from './importedCredentials';

const schema = {
  body: {
    type: 'object',
    required: ['provider_config_key', 'credentials'],
    additionalProperties: false,
    properties: {
      provider_config_key: PROVIDER_CONFIG_KEY,
      connection_id: CONNECTION_ID,
      // Checked per auth mode by importedCredentials, which names each field.
      credentials: { type: 'object', required: ['type'], properties: { type: { type: 'string', maxLength: 32 } } },
      metadata: { type: 'object' },
      connection_config: { type: 'object' },
      end_user: END_USER_SCHEMA,
      tags: TAGS_SCHEMA,
      webhook_url_override: { type: ['string', 'null'], maxLength: 2048 },
    },
  },
} as const;

/** The body of Nango's import (`@nangohq/types` PostPublicConnection['Body']). */
interface Body {
  provider_config_key: string;
  connection_id?: string;
  credentials: Record<string, unknown> & { type: string };
  metadata?: Record<string, unknown>;
  connection_config?: Record<string, unknown>;
  end_user?: EndUserBody;
  tags?: Record<string, string>;
  webhook_url_override?: string | null;
}

/**
 * `POST /connections` (Nango's "import a connection"): brings a Connection over with the credentials it already
 * has, so a team moving from Nango (or from its own OAuth code) keeps its users' authorisations. `credentials` is
 * `{ type, … }` in the integration's auth mode: OAUTH2 `{ access_token, refresh_token?, expires_at? | expires_in?,
 * no_expiration? }`, OAUTH1 `{ oauth_token, oauth_token_secret }`, API_KEY `{ apiKey }`, BASIC `{ username, password }`,
 * and the shapes of `@nangohq/types` for the other modes (importedCredentials lists them; those that fetch a token get
 * a fresh one here, as at every door).
 * `connection_id` defaults to a new UUID; `metadata` and `connection_config` both go into the Connection's one config
 * object; `end_user` and `tags` are set as PATCH /connections/:id sets them. An existing Connection is overridden
 * (new credentials, config merged). A per-tenant value the catalog describes must fit its field's rules, and static
 * credentials are tried at the catalog's verification request (prepareCredentials). Saved through saveConnection, as
 * every door saves, with the `auth` webhook (`creation` or `override`). 201 with the connection object of GET
 * /connections/:id (no refresh token); 404 unknown_integration; 400 invalid_credentials / invalid_connection_config /
 * credentials_rejected / invalid_request naming the field; 502 credentials_check_failed.
 */
export function registerPostConnections(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: Body }>('/connections', { schema }, async (request, reply) => {
    const body = request.body;
    if (typeof body.webhook_url_override === 'string') {
      throw new WorkerError(
        'invalid_request',
        'body/webhook_url_override is not supported: this server sends every webhook to NANGO_WEBHOOK_URL (and NANGO_WEBHOOK_SECONDARY_URL)',
      );
    }
    const integration = requireIntegration(context.operations, body.provider_config_key);
    const credentials = importedCredentials(integration.name, integration.authMode, body.credentials);
    const userId = body.connection_id ?? randomUUID();
    const config = configOf(body);
    checkConnectionConfig(integration.provider, config, { where: (key) => `body/connection_config/${key}`, complete: false });
    const prepared = await stored(integration, { userId, credentials, config }, context.operations.verificationTimeoutMs);
    const operation = await saveConnection(context.operations, {
      integration: integration.name,
      userId,
      credentials: prepared.credentials,
      config: prepared.config,
      configName: 'body/metadata with body/connection_config',
      mode: 'upsert',
      attributes: { endUser: body.end_user ? endUserOf(body.end_user) : null, tags: body.tags ?? {} },
      authMode: integration.authMode,
    });
    context.logger.info(
      { providerConfigKey: integration.name, connectionId: userId, operation },
      'Connection imported through POST /connections',
    );
    const saved = await context.operations.store.get(integration.name, userId);
    if (!saved) throw connectionNotFound(integration.name, userId); // deleted since: as if the delete came last
    const connection = copyConnection(saved, { credentials: withoutRefreshToken(saved.credentials) });
    const attributes = await context.store.connections.attributes(integration.name, userId);
    const json = connectionReplyJson(connection, integration.authMode, modernFields(context.operations, connection, attributes));
    return reply.code(201).type('application/json; charset=utf-8').send(json);
  });
}

/**
 * `connection_config` and `metadata` as the one config object a Connection keeps for both (what its
 * `connection_config` and `metadata` read back). A key in both with different values would be lost: refused.
 * @throws WorkerError `invalid_request`
 */
function configOf(body: Body): Record<string, unknown> {
  const config = { ...body.connection_config };
  for (const [key, value] of Object.entries(body.metadata ?? {})) {
    if (Object.hasOwn(config, key) && JSON.stringify(config[key]) !== JSON.stringify(value)) {
      throw new WorkerError(
        'invalid_request',
        `body/metadata/${key} and body/connection_config/${key} differ: this server keeps one object for both, so give the key once`,
      );
    }
    config[key] = value;
  }
  return config;
}

/**
 * The credentials as stored, and the config (see prepareConnection), their errors located in the request ("body/credentials:
 * Credentials for … (OAUTH2): …").
 * @throws WorkerError `invalid_credentials`, `token_refresh_failed`, `credentials_rejected`, `credentials_check_failed`
 */
async function stored(
  integration: IntegrationConfig,
  given: GivenCredentials,
  verificationTimeoutMs: number | undefined,
): Promise<PreparedConnection> {
  try {
    return await prepareConnection(integration, given, { verificationTimeoutMs });
  } catch (error) {
    if (error instanceof WorkerError && error.code === 'invalid_credentials') {
      throw new WorkerError('invalid_credentials', `body/credentials: ${error.message}`);
    }
    throw error;
  }
}
