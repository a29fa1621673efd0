import { useLocation } from 'preact-iso';
import { ApiError, get } from '../api';
import { ConnectionFilterForm } from '../components/ConnectionFilterForm';
import {
  checkFilters,
  FILTER_PLACES,
  filtersFromQuery,
  filtersToQuery,
  listQuery,
  type ConnectionFilters,
} from '../checks/connectionFilters';
import { ConnectionsTable } from '../components/ConnectionsTable';
import { ErrorNotice } from '../components/Notice';
import { PageNumberPager } from '../components/PageNumberPager';
import { fieldNamedIn } from '../checks/fieldNamedIn';
import { useLoad } from '../components/useLoad';
import type { ConnectionListItem, IntegrationSummary } from '../connectionTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

/** Connections a page shows: one request of this many, however many are stored. */
export const PAGE_SIZE = 50;

/**
 * The Connections list: filters in the address (so a filtered list can be linked), one page of PAGE_SIZE asked of
 * `GET /connections`, never the whole list. Wrong filters are named next to their field and nothing is asked.
 */
export function Connections() {
  const location = useLocation();
  const filters = filtersFromQuery(location.query);
  const addressErrors = checkFilters(filters);
  const valid = Object.keys(addressErrors).length === 0;

  const integrations = useLoad(async () => (await get<{ data: IntegrationSummary[] }>('/integrations')).data, []);
  const list = useLoad(
    async () =>
      valid
        ? (await get<{ connections: ConnectionListItem[] }>('/connections', listQuery(filters, PAGE_SIZE))).connections
        : null,
    [location.url],
  );
  // A 400 that names a filter stands next to that filter; any other error above the list.
  const badRequest = list.error instanceof ApiError && list.error.status === 400 ? list.error : null;
  const serverField = badRequest ? fieldNamedIn(badRequest.message, FILTER_PLACES) : null;
  const errors = badRequest && serverField ? { ...addressErrors, [serverField]: badRequest.message } : addressErrors;
  const connections = list.value ?? [];
  const hrefOf = (page: number) => paths.connections(filtersToQuery({ ...filters, page }));

  return (
    <Layout title="Connections">
      <ConnectionFilterForm
        key={location.url}
        filters={filters}
        errors={errors}
        integrations={integrations.value}
        onSubmit={(next) => location.route(paths.connections(filtersToQuery(next)))}
        onClear={() => location.route(paths.connections())}
      />
      {integrations.error !== undefined && <ErrorNotice error={integrations.error} />}
      {list.error !== undefined && !serverField && <ErrorNotice error={list.error} />}
      <p class="visually-hidden" role="status">
        {list.loading ? 'Loading Connections' : list.value ? `${connections.length} Connections shown, page ${filters.page}` : ''}
      </p>
      {list.value === undefined && list.loading && <p class="loading">Loading…</p>}
      {list.value && connections.length === 0 && <p class="empty">{emptyText(filters)}</p>}
      {connections.length > 0 && <ConnectionsTable connections={connections} busy={list.loading} />}
      {list.value && (
        <PageNumberPager
          page={filters.page}
          fullPage={connections.length === PAGE_SIZE}
          hrefOf={hrefOf}
          label="Connections pages"
        />
      )}
    </Layout>
  );
}

/** What an empty page means: past the last page, nothing matching, or no Connection at all yet. */
function emptyText(filters: ConnectionFilters): string {
  if (filters.page > 1) return 'No more Connections.';
  const filtered = filters.search || filters.integrationId || filters.endUserId || filters.tag || filters.needsReauthorization;
  if (filtered) return 'No Connection matches these filters.';
  return 'No Connection yet: one is made when a user authorises through a connect link or the OAuth flow, or imported with POST /connections.';
}
