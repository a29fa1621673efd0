import type { ComponentChildren } from 'preact';
import { useLocation, useRoute } from 'preact-iso';
import { ApiError, get } from '../api';
import { AuthStateBadge } from '../components/AuthStateBadge';
import { ConnectionAuthPanel } from '../components/ConnectionAuthPanel';
import { ConnectionSyncs } from '../components/ConnectionSyncs';
import { ConnectionTagsEditor } from '../components/ConnectionTagsEditor';
import { DeleteConnectionDialog } from '../components/DeleteConnectionDialog';
import { EndUserText } from '../components/EndUserText';
import { MetadataEditor } from '../components/MetadataEditor';
import { ErrorNotice, Notice } from '../components/Notice';
import { ReconnectLink } from '../components/ReconnectLink';
import { RecentOperations } from '../components/RecentOperations';
import { RevealCredentials } from '../components/RevealCredentials';
import { useLoad } from '../components/useLoad';
import type { ConnectionListItem } from '../connectionTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

/**
 * One Connection: who it belongs to, its authorisation, syncs, latest operations, metadata and tags, a connect link
 * to authorise again, its credentials on request, and delete. Its listing comes from `GET /connections` (exact id and
 * integration), which holds no credentials; each section loads what it shows by itself.
 */
export function ConnectionPage() {
  const { params } = useRoute();
  const location = useLocation();
  const integration = params['integration'] ?? '';
  const connectionId = params['connectionId'] ?? '';
  const listing = useLoad(async () => {
    const { connections } = await get<{ connections: ConnectionListItem[] }>('/connections', {
      connectionId,
      integrationId: integration,
      limit: 1,
    });
    const found = connections.find((item) => item.connection_id === connectionId && item.provider_config_key === integration);
    if (!found) {
      throw new ApiError(404, 'connection_not_found', `No Connection '${connectionId}' on integration '${integration}'`);
    }
    return found;
  }, [integration, connectionId]);

  const connection = listing.value;
  const key = `${integration}\n${connectionId}`;
  return (
    <Layout
      title={`Connection ${connectionId}`}
      actions={
        connection && (
          <DeleteConnectionDialog
            integration={integration}
            connectionId={connectionId}
            onDeleted={() => location.route(paths.connections({ integrationId: integration }))}
          />
        )
      }
    >
      <p>
        <a href={paths.connections()}>← All Connections</a>
      </p>
      {listing.error !== undefined && <ErrorNotice error={listing.error} />}
      {listing.loading && !connection && <p class="loading">Loading…</p>}
      {connection && (
        <>
          <dl class="facts">
            <dt>Integration</dt>
            <dd>
              <a href={paths.integration(integration)}>{integration}</a> <span class="muted">({connection.provider})</span>
            </dd>
            <dt>End user</dt>
            <dd>
              <EndUserText endUser={connection.end_user} />
              {connection.end_user?.organization && (
                <span class="muted">
                  {' '}
                  · organization <code>{connection.end_user.organization.id}</code>
                </span>
              )}
            </dd>
            <dt>Authorization</dt>
            <dd>
              <AuthStateBadge connection={connection} />
            </dd>
          </dl>
          {connection.errors.length > 0 && (
            <Notice kind="error">This Connection needs its user to authorise again: send them a connect link (below).</Notice>
          )}

          <Section id="auth" title="Authorization">
            <ConnectionAuthPanel key={key} integration={integration} connectionId={connectionId} onRefreshed={listing.reload} />
          </Section>
          <Section id="reconnect" title="Connect link">
            <ReconnectLink key={key} integration={integration} connectionId={connectionId} />
          </Section>
          <Section id="syncs" title="Syncs">
            <ConnectionSyncs key={key} integration={integration} connectionId={connectionId} />
          </Section>
          <Section id="operations" title="Latest operations">
            <RecentOperations key={key} integration={integration} connectionId={connectionId} />
          </Section>
          <Section id="metadata" title="Metadata">
            <MetadataEditor key={key} integration={integration} connectionId={connectionId} metadata={connection.metadata} />
          </Section>
          <Section id="tags" title="Tags">
            <ConnectionTagsEditor key={key} integration={integration} connectionId={connectionId} tags={connection.tags} />
          </Section>
          <Section id="credentials" title="Credentials">
            <RevealCredentials key={key} integration={integration} connectionId={connectionId} />
          </Section>
        </>
      )}
    </Layout>
  );
}

/** A titled part of the page, labelled by its heading for screen readers' landmarks. */
function Section(props: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.children}
    </section>
  );
}
