/**
 * The webhook outbox and delivery log (`webhook_deliveries`): a webhook is stored before it is sent and retried
 * until delivered or out of attempts, so none is lost to a restart. SQLite and PostgreSQL implement it alike.
 *
 * A sender claims due rows with a lease (one conditional update): while the lease lasts no other process claims
 * them, and only the holder of the lease (its `leaseOwner`) can record the outcome. A process that dies mid-send
 * leaves a lease that runs out, and the row is claimed again.
 */

/** `pending` until sent with a 2xx, then `delivered`; `failed` once refused for good or out of attempts. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One webhook for one URL, as stored. */
export interface WebhookDelivery {
  id: string;
  url: string;
  /** The body's `type` (auth, async_action, sync). */
  type: string;
  /** The exact bytes sent (compact JSON), as text. */
  body: string;
  state: DeliveryState;
  /** Attempts made so far (counted when claimed, so a process dying mid-send counts too). */
  attempts: number;
  /** Epoch ms before which it is not sent (again). */
  nextAttemptAt: number;
  /** The HTTP status of the last attempt, if it got one. */
  lastStatus: number | null;
  /** Why the last attempt failed, if it did (no secrets: a status, a network error code). */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A delivery to store. */
export interface NewDelivery {
  id: string;
  url: string;
  type: string;
  body: string;
}

/** How one attempt ended. */
export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; nextAttemptAt: number }
  | { kind: 'failed'; status: number | null; error: string };

export interface WebhookStore {
  /** Stores deliveries (all or none), pending and due at `now`. @throws WorkerError `storage_error` */
  add(deliveries: readonly NewDelivery[], now?: number): Promise<void>;
  /**
   * Leases up to `limit` pending deliveries that are due and not leased by anyone else, to `owner` until
   * `now + leaseMs`, counting one attempt on each; returns them (attempts already counted), oldest due first.
   */
  claim(owner: string, leaseMs: number, limit: number, now?: number): Promise<WebhookDelivery[]>;
  /** Records how an attempt ended and frees the lease; false when `owner` no longer holds it (nothing written). */
  finish(id: string, owner: string, outcome: AttemptOutcome, now?: number): Promise<boolean>;
  /** Frees a lease without an outcome (the sender stopped mid-send): due again at once, the attempt not counted. */
  release(id: string, owner: string, now?: number): Promise<boolean>;
  /** The earliest time a pending delivery becomes claimable (due, and its lease over), if any is pending. */
  nextDue(): Promise<number | undefined>;
  /** Deliveries, newest first, in one state or all. */
  list(filter?: { state?: DeliveryState; limit?: number }): Promise<WebhookDelivery[]>;
  get(id: string): Promise<WebhookDelivery | undefined>;
  /**
   * Makes a delivered or failed delivery pending again, due at `now` with its attempts reset; one already pending
   * is left as it is (it is being sent). Returns the delivery as it is after, undefined when there is none.
   */
  replay(id: string, now?: number): Promise<WebhookDelivery | undefined>;
  /** Deletes delivered deliveries last changed before `before` (failed ones stay, replayable); returns how many. */
  pruneDelivered(before: number): Promise<number>;
  /** How many deliveries are pending, and when the oldest of them was stored (for metrics). */
  backlog(): Promise<WebhookBacklog>;
}

/** The outbox's pending deliveries. */
export interface WebhookBacklog {
  readonly pending: number;
  /** Epoch ms the oldest pending delivery was stored; null when none is pending. */
  readonly oldestCreatedAt: number | null;
}
