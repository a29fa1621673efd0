import type { AuthMode } from '@nangohq/protocol';
import type { Provider } from '../providers/Provider';
import type { TwoStepSettings } from './compileTwoStep';

/** Log levels an integration may set for its actions' own log lines. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * One piece of a compiled `${...}` template from integrations.yaml (environment variables are already
 * substituted at load time; these are the parts filled per Connection at request time).
 * - `credential`: a credential field of the auth mode, e.g. `${access_token}`, `${api_key}`; `raw.<field>` (the 2022
 *   format's `${raw.team_id}`) is a top-level field of the provider's raw token response
 * - `config`: a value from the Connection's additionalConfig, e.g. `${additionalConfig.channelId}`
 * - `userId`: the Connection's user id, `${userId}`
 */
export type TemplatePart =
  string | { kind: 'credential'; field: string } | { kind: 'config'; path: readonly string[] } | { kind: 'userId' };

/** A string from integrations.yaml compiled into literal and placeholder parts. */
export interface Template {
  /** The text as written, environment references unexpanded, for error messages: it never holds a secret. */
  readonly source: string;
  /** Where it was declared, e.g. `integrations.slack.headers.Authorization`. */
  readonly path: string;
  readonly parts: readonly TemplatePart[];
}

/** See {@link IntegrationConfig.headerPrecedence}. */
export type HeaderPrecedence = 'call' | 'configured';

/** OAuth client settings (client id and secret from the environment). */
export interface OAuthConfig {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly tokenUrl: string | undefined;
  /**
   * The token URL when it holds per-Connection placeholders (a catalog entry's `${connectionConfig.subdomain}`),
   * filled for each Connection; tokenUrl is then undefined.
   */
  readonly tokenUrlTemplate?: Template | undefined;
  /** `oauth.scopes`: what the OAuth flow asks for, joined with the provider's scope_separator. Default: [] (none). */
  readonly scopes?: readonly string[];
  /** How client credentials are sent to the token URL. Default: 'body'. */
  readonly clientAuth: 'body' | 'basic';
  /** Refresh an OAuth 2 token this many seconds before it expires. Default: 900. */
  readonly refreshMarginSeconds: number;
  /**
   * `oauth.app_link`, GitHub App modes (APP, CUSTOM) only: the app's public page (`https://github.com/apps/<slug>`),
   * whose `/installations/new` the install flow opens. Default: none (the connect request's `params[appPublicLink]`).
   */
  readonly appLink?: string | undefined;
  /**
   * `oauth.app_id` and `oauth.app_private_key` (PEM): a GitHub App's id and key where `client_id` and `client_secret`
   * are its OAuth client's (CUSTOM). APP takes them from `client_id` and `client_secret` when these are unset.
   */
  readonly appId?: string | undefined;
  readonly appPrivateKey?: string | undefined;
}

/**
 * `aws_sigv4:` of an AWS_SIGV4 integration: how the platform's own AWS principal assumes each customer's role (STS
 * AssumeRole) and which service the temporary credentials sign for.
 */
export interface AwsSigV4Settings {
  /** `service`: the AWS service requests are signed for (`s3`, `execute-api`, …), also the Connection's `service`. */
  readonly service: string;
  /** `default_region`: the region of a Connection that names none. Default: none (each Connection must). */
  readonly defaultRegion: string | undefined;
  /** `access_key_id` and `secret_access_key`: the platform's IAM principal, which may call sts:AssumeRole. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `sts_endpoint`: where AssumeRole is sent. Default: undefined, meaning `https://sts.<region>.amazonaws.com/`. */
  readonly stsEndpoint: string | undefined;
  /** `external_id`: the ExternalId every Connection's AssumeRole carries, unless its config sets its own. Default: none. */
  readonly externalId: string | undefined;
  /** `session_duration_s`: DurationSeconds asked of STS (900 to 43200). Default: 3600. */
  readonly sessionDurationS: number;
}

/** One action declared under an integration. */
export interface ActionConfig {
  readonly name: string;
  /** Absolute path of `<integrationsDir>/<integration>/<name>.action.ts`. */
  readonly file: string;
  /** Time limit of one run. Default: the integration's action_timeout_ms. */
  readonly timeoutMs: number;
  /** Heap cap of the sandbox a run uses, in MB. Default: the integration's action_memory_mb. */
  readonly memoryMb: number;
  /** `description`: what the action does, for GET /scripts/config. Default: none. */
  readonly description?: string;
  /** `input`: the JSON Schema its input must match, checked before every run. Default: none (any object). */
  readonly inputSchema?: Readonly<Record<string, unknown>>;
}

/** One model a sync writes: its name and, when declared, the JSON Schema each record must match. */
export interface ModelConfig {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>> | undefined;
}

/** One sync declared under an integration (`integrations.<name>.syncs.<sync>`). */
export interface SyncConfig {
  readonly name: string;
  /** Absolute path of `<integrationsDir>/<integration>/<name>.sync.ts`. */
  readonly file: string;
  readonly models: ReadonlyMap<string, ModelConfig>;
  /** Time between runs. `frequency: every 30 minutes`; at least 5 minutes. Default: 1 hour */
  readonly frequencyMs: number;
  /** Scheduled for every new Connection of the integration. Default: true */
  readonly autoStart: boolean;
  /** `full`: every run fetches everything; `incremental`: runs go on from the checkpoint. Default: incremental */
  readonly syncType: 'full' | 'incremental';
  /** At the end of a full run, records it did not save are marked deleted. Default: false */
  readonly trackDeletes: boolean;
  /** Time limit of one run. Default: 1 hour */
  readonly timeoutMs: number;
  /** Heap cap of the sandbox a run uses, in MB. Default: the integration's action_memory_mb. */
  readonly memoryMb: number;
  /** Records are sealed with the credential cipher unless `encrypt_records: false`. Default: true */
  readonly encryptRecords: boolean;
  /**
   * The provider webhook types its `onWebhook` handler runs on (a deployed sync's `webhookSubscriptions`; `*`: every
   * type); absent: it handles none.
   */
  readonly webhookSubscriptions?: readonly string[] | undefined;
}

/** One integration from integrations.yaml, validated, defaulted and frozen. */
export interface IntegrationConfig {
  readonly name: string;
  readonly authMode: AuthMode;
  /** The API's base URL; may hold per-Connection placeholders (e.g. a tenant subdomain). */
  readonly baseUrl: Template;
  /** Headers added to every httpRequest, in declaration order. */
  readonly headers: ReadonlyMap<string, Template>;
  /** Query params added to every httpRequest, in declaration order. */
  readonly queryParams: ReadonlyMap<string, Template>;
  /**
   * Which wins when an action's httpRequest and the configured `headers` set the same header: 'call' (default),
   * or 'configured', as in the 2022 product, where the configured headers and a JSON body's content-type won.
   * Absent means 'call'.
   */
  readonly headerPrecedence?: HeaderPrecedence;
  /** Time limit of one httpRequest. Default: 30000 ms. */
  readonly httpTimeoutMs: number;
  /** Largest response body one httpRequest reads, decoded; past it the call fails. Default: 8388608 (8 MiB). */
  readonly maxResponseBytes: number;
  /** Default time limit of this integration's action runs. Default: 25000 ms, below the client's 30000 ms call timeout. */
  readonly actionTimeoutMs: number;
  /** Level of the actions' own log lines. Default: 'info'. */
  readonly logLevel: LogLevel;
  readonly oauth: OAuthConfig | undefined;
  /** AWS_SIGV4 only: see AwsSigV4Settings. */
  readonly awsSigV4?: AwsSigV4Settings | undefined;
  /** TWO_STEP only: its catalog entry's token requests and where the token is in the answer (config/compileTwoStep). */
  readonly twoStep?: TwoStepSettings | undefined;
  readonly actions: ReadonlyMap<string, ActionConfig>;
  /** Syncs; empty when none is declared. */
  readonly syncs: ReadonlyMap<string, SyncConfig>;
  /** The `provider:` entry of the providers catalog this integration inherits from, aliases resolved. */
  readonly provider?: Provider | undefined;
  /** How its provider's webhooks are received (`webhooks:`); absent: the catalog's routing, unsigned, not forwarded. */
  readonly webhooks?: WebhookReceiving | undefined;
}

/**
 * How provider webhooks sent to `/webhook/<integration>` are checked, routed and forwarded: `webhooks:` in
 * integrations.yaml, or, for an integration made at run time, `credentials.webhook_secret` and `forward_webhooks` of
 * POST/PATCH /integrations. The generic fields say what the catalog's routing would otherwise say, and make an
 * integration whose provider has none (or no provider) receive webhooks signed with a plain HMAC-SHA256.
 */
export interface WebhookReceiving {
  /** The secret the provider signs with; without it every webhook is refused (401) (HubSpot: the client secret will do). */
  readonly secret?: string | undefined;
  /** Forward each webhook to the app's webhook URL (`type: 'forward'`), as Nango's `forward_webhooks`. Default: false */
  readonly forward: boolean;
  /** Generic mode: the header holding the hex HMAC-SHA256 of the body (an optional `sha256=` prefix is allowed). */
  readonly signatureHeader?: string | undefined;
  /** Generic mode: the payload field (a dotted path) that names the Connection. */
  readonly connectionField?: string | undefined;
  /**
   * Generic mode: the Connection setting (config or metadata key) `connectionField` is matched with; `connectionId`
   * matches the Connection's id itself. Default: `connectionId`
   */
  readonly connectionConfigKey?: string | undefined;
  /** Generic mode: the payload field (a dotted path) holding the event type subscriptions match. */
  readonly typeField?: string | undefined;
}

/** The whole integrations.yaml, compiled. Maps, not objects, so a name like `__proto__` is just a missing key. */
export interface IntegrationsConfig {
  readonly integrations: ReadonlyMap<string, IntegrationConfig>;
  /** Set when the file was in the 2022 product's format and converted to ours. */
  readonly legacy?: {
    /** What was mapped to something else or ignored, one `path: note` line each, for the start-up log. */
    readonly notices: readonly string[];
    /** nango-config.yaml's main_server_log_level, as ours, for when NANGO_LOG_LEVEL is not set. */
    readonly serverLogLevel: string | undefined;
  };
}
