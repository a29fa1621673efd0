import type { WebhookHeaders } from './signatures';

/** A provider webhook as the HTTP door received it: the exact bytes, for signatures, and where it was sent. */
export interface IncomingWebhook {
  readonly rawBody: Buffer;
  /** Lower-case names, as Node gives them. */
  readonly headers: WebhookHeaders;
  readonly method: string;
  /** The full URL the provider called: this server's public URL and the request's path (HubSpot signs it). */
  readonly url: string;
}

/** One event of a webhook, as the routing of its provider reads it (a HubSpot webhook holds several). */
export interface RoutedEvent {
  /** The event type subscriptions are matched with (`push`, `event_callback`, `contact.creation`, …). */
  readonly type?: string | undefined;
  /**
   * Which Connection it is for: a Connection setting's key (config or metadata, one object here) and the value the
   * payload gave, as text; key `connectionId` matches the Connection's own id. Absent when the payload names none.
   */
  readonly lookup?: { readonly key: string; readonly value: string } | undefined;
}

/** What reading a webhook came to. */
export type Reception =
  /** Refused: 400 (not the body its provider sends) or 401 (bad or missing signature, no secret to check with). */
  | { readonly kind: 'refused'; readonly status: 400 | 401; readonly message: string }
  /** Answered at once and not queued: Slack's `url_verification` handshake wants its challenge back. */
  | { readonly kind: 'answer'; readonly body: Readonly<Record<string, unknown>> }
  /** Accepted, its signature good: queued for routing, forwarding and the subscribed functions. */
  | {
      readonly kind: 'accepted';
      /** The body, parsed (JSON, or Slack's form-encoded payload). */
      readonly payload: unknown;
      readonly events: readonly RoutedEvent[];
    };
