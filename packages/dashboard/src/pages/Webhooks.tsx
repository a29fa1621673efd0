import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { get, request } from '../api';
import { Field } from '../components/Field';
import { ago, formatTime } from '../components/format';
import { ErrorNotice, Notice } from '../components/Notice';
import { StatusBadge } from '../components/StatusBadge';
import { useLoad } from '../components/useLoad';
import type { DeliveryState, WebhookDelivery } from '../integrationTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

const STATES: DeliveryState[] = ['pending', 'delivered', 'failed'];
/** The route's default page and its largest: it pages by `limit` alone (newest first), so "more" asks for a longer list. */
const STEP = 100;
const MAX_LIMIT = 1000;

/**
 * The webhook delivery log (`GET /webhooks/deliveries`), newest first, filtered by state in the URL, with Replay
 * for delivered and failed ones (`POST /webhooks/deliveries/:id/replay`). Bodies are never sent by the server.
 */
export function Webhooks() {
  const location = useLocation();
  const state = STATES.find((value) => value === location.query['state']) ?? '';
  const limit = limitOf(location.query['limit']);
  const loaded = useLoad(() => get<{ deliveries: WebhookDelivery[] }>('/webhooks/deliveries', { state, limit }), [state, limit]);
  const [replayed, setReplayed] = useState<{ text: string } | { error: unknown } | null>(null);
  const [replaying, setReplaying] = useState<string | null>(null);
  const deliveries = loaded.value?.deliveries;

  const filter = (next: { state?: string; limit?: number }) => {
    const filters: Record<string, string> = { state: next.state ?? state };
    const nextLimit = next.limit ?? STEP;
    if (nextLimit !== STEP) filters['limit'] = String(nextLimit);
    location.route(paths.webhooks(filters));
  };

  const replay = async (delivery: WebhookDelivery) => {
    setReplaying(delivery.id);
    setReplayed(null);
    try {
      const after = (
        await request<{ delivery: WebhookDelivery }>('POST', `/webhooks/deliveries/${encodeURIComponent(delivery.id)}/replay`)
      ).body.delivery;
      setReplayed({
        text: `Replaying the ${after.type} webhook to ${after.url}: it is ${after.state} again and goes out within a second.`,
      });
      loaded.reload();
    } catch (error) {
      setReplayed({ error });
    } finally {
      setReplaying(null);
    }
  };

  return (
    <Layout title="Webhooks">
      <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter deliveries">
        <Field id="state" label="State">
          {(attributes) => (
            <select {...attributes} value={state} onChange={(event) => filter({ state: event.currentTarget.value })}>
              <option value="">Every state</option>
              {STATES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" onClick={loaded.reload} disabled={loaded.loading}>
          Reload
        </button>
      </form>
      <div aria-live="polite">{replayed && 'text' in replayed && <Notice kind="success">{replayed.text}</Notice>}</div>
      {replayed && 'error' in replayed && <ErrorNotice error={replayed.error} />}
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} />}
      {loaded.loading && !deliveries && <p class="loading">Loading deliveries…</p>}
      {deliveries && deliveries.length === 0 && (
        <p class="empty">
          {state ? `No ${state} deliveries.` : 'No webhook deliveries yet.'} Webhooks go out when NANGO_WEBHOOK_URL is set.
        </p>
      )}
      {deliveries && deliveries.length > 0 && (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Webhook deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Delivery</th>
                  <th scope="col">Type</th>
                  <th scope="col">To</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Next attempt</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((delivery) => (
                  <tr key={delivery.id}>
                    <th scope="row">
                      <code title={delivery.id}>{delivery.id.slice(0, 8)}</code>
                    </th>
                    <td>{delivery.type}</td>
                    <td class="wrap">{delivery.url}</td>
                    <td>
                      <StatusBadge status={delivery.state} />
                    </td>
                    <td class="num">{delivery.attempts}</td>
                    <td class="wrap">
                      {delivery.last_status !== null && <code>{delivery.last_status}</code>}{' '}
                      {delivery.last_error ?? (delivery.last_status === null ? '—' : '')}
                    </td>
                    <td title={delivery.next_attempt_at ?? undefined}>
                      {delivery.next_attempt_at ? ago(delivery.next_attempt_at) : '—'}
                    </td>
                    <td class="time" title={formatTime(delivery.created_at)}>
                      {ago(delivery.created_at)}
                    </td>
                    <td class="time" title={formatTime(delivery.updated_at)}>
                      {ago(delivery.updated_at)}
                    </td>
                    <td>
                      {delivery.state !== 'pending' && (
                        <button
                          type="button"
                          onClick={() => replay(delivery)}
                          disabled={replaying !== null}
                          aria-label={`Replay delivery ${delivery.id.slice(0, 8)} (${delivery.type})`}
                        >
                          {replaying === delivery.id ? 'Replaying…' : 'Replay'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="pager">
            <span>
              The newest {deliveries.length} {state && `${state} `}
              deliver{deliveries.length === 1 ? 'y' : 'ies'}.
            </span>
            {deliveries.length >= limit && limit < MAX_LIMIT && (
              <button type="button" onClick={() => filter({ limit: Math.min(limit + STEP, MAX_LIMIT) })}>
                Show {STEP} more
              </button>
            )}
          </div>
        </>
      )}
    </Layout>
  );
}

/** `limit` from the URL: a multiple of STEP up to MAX_LIMIT, STEP when absent or not a number. */
function limitOf(text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < STEP) return STEP;
  return Math.min(MAX_LIMIT, Math.ceil(value / STEP) * STEP);
}
