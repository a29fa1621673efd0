import { useLocation, useRoute } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { get, request } from '../api';
import { usesOAuthCallback } from '../components/authModes';
import { CallbackUrl } from '../components/CallbackUrl';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { setFlash, takeFlash } from '../components/flash';
import { formatTime } from '../components/format';
import { IntegrationEditForm } from '../components/IntegrationEditForm';
import { IntegrationScripts } from '../components/IntegrationScripts';
import { ErrorNotice, Notice } from '../components/Notice';
import { SourceBadge } from '../components/SourceBadge';
import { useLoad } from '../components/useLoad';
import type { Integration, ScriptsConfigEntry } from '../integrationTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

/**
 * One integration: its facts, links to its Connections and logs, its actions and syncs with their schemas, and (for
 * one made at run time) its settings and deletion. integrations.yaml's are read-only: the API refuses to change them
 * (409 integration_read_only), so the page says where to change them instead of offering forms that would fail.
 */
export function IntegrationPage() {
  // `key` is the route's parameter; read from the route, since Preact keeps a `key` prop for itself.
  const key = useRoute().params['key'] ?? '';
  const location = useLocation();
  // Read again when the key changes: a rename routes to the new key's page without mounting it anew.
  const flash = useMemo(takeFlash, [key]);
  const loaded = useLoad(() => get<{ data: Integration }>(`/integrations/${encodeURIComponent(key)}`), [key]);
  const scripts = useLoad(() => get<ScriptsConfigEntry[]>('/scripts/config'), []);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const integration = loaded.value?.data;

  const remove = async () => {
    setDeleting(true);
    setDeleteError(null);
    try {
      await request('DELETE', `/integrations/${encodeURIComponent(key)}`);
      setFlash(`Deleted the integration ${key} and its Connections.`);
      location.route(paths.integrations());
    } catch (error) {
      setConfirming(false);
      setDeleteError(error);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Layout title={integration ? integration.display_name : key}>
      <p>
        <a href={paths.integrations()}>Back to the integrations</a>
      </p>
      {flash && <Notice kind="success">{flash}</Notice>}
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} />}
      {loaded.loading && !integration && <p class="loading">Loading the integration…</p>}
      {integration && (
        <>
          <dl class="facts">
            <dt>Unique key</dt>
            <dd>
              <code>{integration.unique_key}</code>
            </dd>
            <dt>Provider</dt>
            <dd>{integration.provider ?? '—'}</dd>
            <dt>Auth mode</dt>
            <dd>
              <code>{integration.auth_mode}</code>
            </dd>
            {integration.source && (
              <>
                <dt>Source</dt>
                <dd>
                  <SourceBadge source={integration.source} />
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{integration.created_at ? formatTime(integration.created_at) : '—'}</dd>
            <dt>Updated</dt>
            <dd>{integration.updated_at ? formatTime(integration.updated_at) : '—'}</dd>
          </dl>
          <ul class="link-row">
            <li>
              <a href={paths.connections({ integrationId: integration.unique_key })}>Its Connections</a>
            </li>
            <li>
              <a href={paths.logs({ integration: integration.unique_key })}>Its logs</a>
            </li>
            <li>
              <a href={paths.tryAction({ integration: integration.unique_key })}>Try an action</a>
            </li>
          </ul>
          {usesOAuthCallback(integration.auth_mode) && <CallbackUrl />}
          {scripts.error !== undefined && <ErrorNotice error={scripts.error} />}
          {scripts.value && (
            <IntegrationScripts
              integrationKey={integration.unique_key}
              entry={scripts.value.find((entry) => entry.providerConfigKey === integration.unique_key)}
            />
          )}
          {integration.source === 'file' ? (
            <>
              <h2>Settings</h2>
              <Notice kind="info">
                Declared in integrations.yaml: change or remove it there and restart the server. The API does not change it (it
                answers integration_read_only).
              </Notice>
            </>
          ) : (
            <>
              <IntegrationEditForm
                key={integration.unique_key}
                integration={integration}
                onSaved={(saved) => {
                  if (saved.unique_key !== key) {
                    setFlash(`Saved. The integration is now ${saved.unique_key}.`);
                    location.route(paths.integration(saved.unique_key), true);
                  } else loaded.reload();
                }}
              />
              <h2>Delete</h2>
              <p>
                Deletes the integration and every one of its Connections (their tokens are revoked where the provider allows).
              </p>
              {deleteError !== null && <ErrorNotice error={deleteError} />}
              <button type="button" class="danger" onClick={() => setConfirming(true)}>
                Delete {integration.unique_key}…
              </button>
              <ConfirmDialog
                open={confirming}
                title={`Delete the integration ${integration.unique_key}?`}
                confirmLabel={`Delete ${integration.unique_key}`}
                busy={deleting}
                onConfirm={remove}
                onCancel={() => setConfirming(false)}
              >
                <p>
                  This deletes <strong>{integration.display_name}</strong> (<code>{integration.unique_key}</code>) and every one
                  of its Connections. It cannot be undone.
                </p>
              </ConfirmDialog>
            </>
          )}
        </>
      )}
    </Layout>
  );
}
