/**
 * One function (a sync, an action, an on-event script, or a `createFunction` of the CLI's functions bundle) of a deployment, as the official `nango deploy` uploaded
 * it and our deploy operation checked it: its compiled JavaScript (a CommonJS bundle) and what it declares.
 */
export interface DeployedFunction {
  /** The integration (provider config key) it belongs to. */
  readonly integration: string;
  readonly name: string;
  readonly type: 'action' | 'sync' | 'on-event' | 'function';
  /** The function's own `version` as declared, for the CLI's `name@vversion` line. Default: '0.0.1'. */
  readonly version: string;
  /** The CommonJS bundle the CLI compiled (`fileBody.js`). */
  readonly js: string;
  readonly description?: string | undefined;
  /** An action's input JSON Schema (from the CLI's models_json_schema), checked before every run. */
  readonly inputSchema?: Readonly<Record<string, unknown>> | undefined;
  /** Model names it outputs (a sync's records, an action's result). */
  readonly models: readonly string[];
  /** Each model's JSON Schema, by name. */
  readonly modelSchemas: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** A sync's frequency as declared (`every hour`); null for an action. */
  readonly runs: string | null;
  readonly autoStart: boolean;
  /** A sync's `syncType`: `full` reads everything each run, `incremental` goes on from its checkpoint. Absent: incremental. */
  readonly syncType?: 'full' | 'incremental' | undefined;
  /** A sync's `trackDeletes`: a full run marks the records it did not save deleted. Absent: false. */
  readonly trackDeletes?: boolean | undefined;
  /** The endpoints a sync declares (or an action's one): `{ method, path, group? }`, kept to list them. */
  readonly endpoints?: readonly { method: string; path: string; group?: string }[] | undefined;
  /** The provider webhook types a sync's `onWebhook` handles (`['*']` for all). */
  readonly webhookSubscriptions?: readonly string[] | undefined;
  /** The event an on-event script runs on (`post-connection-creation`, …). */
  readonly event?: string | undefined;
  /**
   * A `createFunction`'s definition as the CLI's bundle declares it, without its code: `trigger`, `requires`,
   * `capabilities`, `limits`, the `*_schema_ref`s and `json_schema` (Nango's FunctionDeploymentArtifact).
   */
  readonly definition?: Readonly<Record<string, unknown>> | undefined;
}

/** A stored deployment: every function of the server at once. */
export interface FunctionDeployment {
  /** Increases with every deployment and rollback; the newest is the active one. */
  readonly version: number;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  /** Set when this deployment is a rollback: the version whose functions it restored. */
  readonly rolledBackFrom: number | null;
  readonly functions: readonly DeployedFunction[];
}

/** A deployment as GET /functions/deployments lists it: no code. */
export interface FunctionDeploymentSummary {
  readonly version: number;
  readonly createdAt: string;
  readonly rolledBackFrom: number | null;
  readonly active: boolean;
  readonly functions: readonly { integration: string; name: string; type: string; version: string }[];
}

/**
 * Every deployment of functions, kept as versions. A deployment (or a rollback) is one new row, inserted in one
 * statement: the newest row is the active one, so replacing the functions is atomic, every worker of every machine
 * sees the same version, and a run in flight keeps the code it loaded. SQLite and PostgreSQL implement it alike.
 */
export interface FunctionDeploymentStore {
  /** Stores a deployment, which becomes the active one. @throws WorkerError `storage_error` */
  add(functions: readonly DeployedFunction[], rolledBackFrom?: number): Promise<FunctionDeployment>;
  /** The version of the active deployment (0: none yet): cheap, read before every run of a deployed function. */
  activeVersion(): Promise<number>;
  /** A deployment with its functions, if that version exists. @throws WorkerError `storage_error` */
  get(version: number): Promise<FunctionDeployment | undefined>;
  /** Every deployment, newest first. @throws WorkerError `storage_error` */
  list(): Promise<FunctionDeploymentSummary[]>;
}
