import { useMemo } from 'preact/hooks';
import { get } from '../api';
import { takeFlash } from '../components/flash';
import { formatTime } from '../components/format';
import { ErrorNotice, Notice } from '../components/Notice';
import { SourceBadge } from '../components/SourceBadge';
import { useLoad } from '../components/useLoad';
import type { Integration } from '../integrationTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

/**
 * Every integration (`GET /integrations`: integrations.yaml's and those made through the API). The route sends them
 * all at once, without paging: a server has tens of integrations, not thousands of them.
 */
export function Integrations() {
  const flash = useMemo(takeFlash, []);
  const loaded = useLoad(() => get<{ data: Integration[] }>('/integrations'), []);
  const integrations = loaded.value?.data;
  return (
    <Layout
      title="Integrations"
      actions={
        <a class="button primary" href={paths.newIntegration()}>
          Add an integration
        </a>
      }
    >
      {flash && <Notice kind="success">{flash}</Notice>}
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} />}
      {loaded.loading && !integrations && <p class="loading">Loading integrations…</p>}
      {integrations && integrations.length === 0 && (
        <p class="empty">
          No integrations yet. Declare them in integrations.yaml, or <a href={paths.newIntegration()}>add one</a> from the
          providers catalog.
        </p>
      )}
      {integrations && integrations.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Integrations, by key</caption>
            <thead>
              <tr>
                <th scope="col">Integration</th>
                <th scope="col">Provider</th>
                <th scope="col">Auth mode</th>
                <th scope="col">Source</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {integrations.map((integration) => (
                <tr key={integration.unique_key}>
                  <th scope="row">
                    <a href={paths.integration(integration.unique_key)}>{integration.unique_key}</a>
                    {integration.display_name !== integration.unique_key && (
                      <span class="subtle"> {integration.display_name}</span>
                    )}
                  </th>
                  <td>{integration.provider ?? '—'}</td>
                  <td>
                    <code>{integration.auth_mode}</code>
                  </td>
                  <td>
                    <SourceBadge source={integration.source} />
                  </td>
                  <td title={integration.created_at ?? 'Declared in integrations.yaml'}>
                    {integration.created_at ? formatTime(integration.created_at) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
