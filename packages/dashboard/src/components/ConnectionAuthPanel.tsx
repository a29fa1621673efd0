import { useState } from 'preact/hooks';
import { get, request } from '../api';
import type { ConnectionAuth } from '../connectionTypes';
import { paths } from '../paths';
import type { Operation } from '../types';
import { ago, formatTime } from './format';
import { ErrorNotice, Notice } from './Notice';
import { StatusBadge } from './StatusBadge';
import { useLoad } from './useLoad';

const part = encodeURIComponent;

/**
 * A Connection's authorisation (`GET /connections/:id/auth`: mode, ok or needs reauthorization with the reason,
 * expiry, whether it can be refreshed), its last refresh from the operations log, and "Refresh now". The refresh
 * reply holds the new credentials: only its expiry is read, the rest is dropped unshown.
 */
export function ConnectionAuthPanel(props: { integration: string; connectionId: string; onRefreshed?: () => void }) {
  const { integration, connectionId } = props;
  const auth = useLoad(
    () => get<ConnectionAuth>(`/connections/${part(connectionId)}/auth`, { provider_config_key: integration }),
    [integration, connectionId],
  );
  const lastRefresh = useLoad(
    async () =>
      (
        await get<{ operations: Operation[] }>('/logs/operations', {
          kind: 'refresh',
          connectionId,
          integration,
          limit: 1,
        })
      ).operations[0] ?? null,
    [integration, connectionId],
  );
  const [refreshing, setRefreshing] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: true; expiresAt: string | null } | { ok: false; error: unknown } | null>(null);

  const refresh = async () => {
    setRefreshing(true);
    setOutcome(null);
    try {
      // refresh_token=false: the legacy route would otherwise send the refresh token too, which nothing here needs.
      const reply = await request<{ credentials?: { expires_at?: unknown } }>('GET', `/connection/${part(connectionId)}`, {
        query: { provider_config_key: integration, force_refresh: true, refresh_token: false },
      });
      const expiresAt = reply.body.credentials?.expires_at;
      setOutcome({ ok: true, expiresAt: typeof expiresAt === 'string' ? expiresAt : null });
    } catch (error) {
      setOutcome({ ok: false, error });
    } finally {
      setRefreshing(false);
      auth.reload();
      lastRefresh.reload();
      props.onRefreshed?.();
    }
  };

  const state = auth.value;
  return (
    <>
      {auth.error !== undefined && <ErrorNotice error={auth.error} />}
      {auth.loading && !state && <p class="loading">Loading…</p>}
      <dl class="facts">
        {state && (
          <>
            <dt>Auth mode</dt>
            <dd>{state.auth_mode}</dd>
            <dt>Authorization</dt>
            <dd>
              <StatusBadge status={state.authorization} />
              {state.error && <span class="auth-reason">{state.error}</span>}
            </dd>
            <dt>Token expires</dt>
            <dd>{state.expires_at ? <TimeText iso={state.expires_at} /> : 'never (or not known)'}</dd>
            <dt>Refreshable</dt>
            <dd>{state.refreshable ? 'yes' : 'no'}</dd>
            <dt>Created</dt>
            <dd>
              <TimeText iso={state.created_at} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <TimeText iso={state.updated_at} />
            </dd>
          </>
        )}
        <dt>Last refresh</dt>
        <dd>
          <LastRefresh operation={lastRefresh.value} error={lastRefresh.error} />
        </dd>
      </dl>
      {state?.refreshable !== false && (
        <p>
          <button type="button" onClick={refresh} disabled={refreshing}>
            {refreshing ? 'Refreshing…' : 'Refresh now'}
          </button>
        </p>
      )}
      <div aria-live="polite">
        {outcome?.ok === true && (
          <Notice kind="success">
            Refreshed.{' '}
            {outcome.expiresAt ? `The new token expires ${formatTime(outcome.expiresAt)}.` : 'The new token has no expiry.'}
          </Notice>
        )}
      </div>
      {outcome?.ok === false && <ErrorNotice error={outcome.error} />}
    </>
  );
}

function TimeText(props: { iso: string }) {
  return (
    <time dateTime={props.iso} title={props.iso}>
      {formatTime(props.iso)} ({ago(props.iso)})
    </time>
  );
}

function LastRefresh(props: { operation: Operation | null | undefined; error: unknown }) {
  if (props.error !== undefined) return <span class="muted">not known (the operations log did not answer)</span>;
  if (props.operation === undefined) return <span class="muted">…</span>;
  if (props.operation === null) return <span class="muted">none recorded</span>;
  const operation = props.operation;
  return (
    <span>
      <StatusBadge status={operation.status} /> <TimeText iso={operation.started_at} />{' '}
      <a href={paths.operation(operation.id)}>its operation</a>
      {operation.error && <span class="auth-reason">{operation.error.message}</span>}
    </span>
  );
}
