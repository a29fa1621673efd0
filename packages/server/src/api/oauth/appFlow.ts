import { randomBytes } from 'node:crypto';
import { APP_LINK_FIELD, appOf, INSTALLATION_FIELD } from '../../authModes/githubApp';
import { WorkerError } from '../../errors';
import { OAuthFlowError, type OAuthErrorType } from '../../oauth/flow/OAuthFlowError';
import type { ConnectQuery } from '../../oauth/flow/parseConnectQuery';
import { prepareCredentials } from '../../operations/prepareCredentials';
import { saveConnection } from '../../operations/saveConnection';
import type { OAuthSession } from '../../store/OAuthSessionStore';
import type { ApiContext } from '../ApiContext';
import { authorizeConnect } from './authorizeConnect';
import { failConnect, startConnect } from './connectOperation';
import { connectParams } from './connectParams';
import type { CallbackOutcome } from './runOAuthFlow';
import { unexpected } from './runOAuthFlow';

/** The route GitHub sends the user back to after an install: the app's "Setup URL" must point here. */
export const APP_CALLBACK_PATH = '/app-auth/connect';

/** The flow error each prepareCredentials error ends an install flow with. */
const FLOW_TYPE_OF: Partial<Record<string, OAuthErrorType>> = {
  invalid_credentials: 'token_err',
  token_refresh_failed: 'token_err',
};

/**
 * /oauth/connect for a GitHub App (APP): authorises the request as an OAuth flow's, opens a session keyed by a fresh
 * `state`, and returns the app's install page (`<app link>/installations/new?state=…`) to redirect the popup to.
 * The app link is the integration's `oauth.app_link`, else the request's `params[appPublicLink]`.
 * @throws OAuthFlowError (recorded as a failed `connect` operation)
 */
export async function startAppFlow(context: ApiContext, providerConfigKey: string, query: ConnectQuery): Promise<string> {
  const startedAt = Date.now();
  const known = { name: 'app', integration: providerConfigKey, connectionId: query.connectionId, startedAt };
  try {
    const target = await authorizeConnect(context, providerConfigKey, query);
    known.connectionId = target.connectionId;
    const integration = context.registry.snapshot().integrations.get(providerConfigKey);
    if (!integration) throw new OAuthFlowError('unknown_config_key', `No integration '${providerConfigKey}'`);
    const app = appOf(integration);
    if ('missing' in app) throw new OAuthFlowError('provider_config_err', app.missing);
    const params = connectParams(integration.provider, target.params);
    const appLink = (integration.oauth?.appLink ?? params[APP_LINK_FIELD] ?? '').replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(appLink)) {
      throw new OAuthFlowError(
        'provider_config_err',
        `Integration '${providerConfigKey}' has no GitHub App link: set integrations.${providerConfigKey}.oauth.app_link (https://github.com/apps/<slug>) or give params[${APP_LINK_FIELD}]`,
      );
    }
    const state = randomBytes(32).toString('base64url');
    const session: OAuthSession = {
      providerConfigKey,
      connectionId: target.connectionId,
      authMode: 'APP',
      callbackUrl: `${context.settings.serverUrl}${APP_CALLBACK_PATH}`,
      connectionConfig: { ...params, [APP_LINK_FIELD]: appLink },
      startedAt,
      ...(query.wsClientId !== undefined && { wsClientId: query.wsClientId }),
      ...(target.session && { attributes: { endUser: target.session.endUser, tags: { ...target.session.tags } } }),
    };
    await context.sessions.create(state, session, Date.now() + context.settings.oauthSessionTtlMs);
    return `${appLink}/installations/new?state=${encodeURIComponent(state)}`;
  } catch (error) {
    const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
    failConnect(startConnect(context, known), flowError);
    throw flowError;
  }
}

/**
 * `GET /app-auth/connect?installation_id=…&setup_action=install&state=…`: GitHub's redirect after the app was
 * installed. The session of `state` ends; an installation token is fetched for the installation at once (so an id
 * the app cannot use stores nothing) and the Connection is saved with `installation_id` and `appPublicLink` in its
 * config. Never throws: every failure is returned with its session, if any.
 */
export async function finishAppFlow(context: ApiContext, query: Readonly<Record<string, unknown>>): Promise<CallbackOutcome> {
  const state = typeof query['state'] === 'string' ? query['state'] : undefined;
  let session: OAuthSession | undefined;
  let toOwner = false;
  try {
    if (!state) {
      // An organisation owner approved an install someone requested: GitHub sends no state, there is no flow to end.
      throw new OAuthFlowError('state_err', 'The install callback carries no state: start the flow from the app again');
    }
    session = await context.sessions.peek(state);
    if (!session || session.authMode !== 'APP') throw unknownState();
    const installation = query[INSTALLATION_FIELD];
    if (typeof installation !== 'string' || !/^\d{1,20}$/.test(installation)) {
      if (query['setup_action'] === 'request') {
        throw new OAuthFlowError('callback_err', 'The install was requested, not done: an organisation owner must approve it');
      }
      throw new OAuthFlowError('callback_err', `The install callback carries no ${INSTALLATION_FIELD} (digits)`);
    }
    if (!(await context.sessions.consume(state))) throw unknownState();
    toOwner = true;
    const integration = context.registry.snapshot().integrations.get(session.providerConfigKey);
    if (!integration) throw new OAuthFlowError('unknown_config_key', `No integration '${session.providerConfigKey}'`);
    const config = { ...session.connectionConfig, [INSTALLATION_FIELD]: installation };
    const credentials = await prepareCredentials(integration, { userId: session.connectionId, credentials: {}, config }).catch(
      (error: unknown) => {
        const type = error instanceof WorkerError ? FLOW_TYPE_OF[error.code] : undefined;
        throw type ? new OAuthFlowError(type, error instanceof Error ? error.message : String(error)) : error;
      },
    );
    const operation = startConnect(context, flowParties(session));
    operation.message('info', 'GitHub issued an installation token');
    const saved = await saveConnection(context.operations, {
      integration: session.providerConfigKey,
      userId: session.connectionId,
      credentials,
      config,
      mode: 'upsert',
      attributes: session.attributes,
      authMode: 'APP',
      parentId: operation.id,
    });
    const outcome = saved === 'creation' ? 'created' : 'updated';
    operation.set({ connection: outcome });
    operation.end('success');
    return { session, error: undefined, saved: outcome, toOwner: true };
  } catch (error) {
    const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
    const operation = toOwner && session ? startConnect(context, flowParties(session)) : startConnect(context, { name: 'app' });
    failConnect(operation, flowError);
    return { session, error: flowError, toOwner };
  }
}

function flowParties(session: OAuthSession) {
  return {
    name: 'app',
    integration: session.providerConfigKey,
    connectionId: session.connectionId,
    endUserId: session.attributes?.endUser?.id,
    startedAt: session.startedAt,
  };
}

function unknownState(): OAuthFlowError {
  return new OAuthFlowError('state_err', "The install callback's state is unknown, expired or already used: start again");
}
