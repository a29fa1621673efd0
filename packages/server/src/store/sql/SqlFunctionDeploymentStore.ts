import type {
  DeployedFunction,
  FunctionDeployment,
  FunctionDeploymentStore,
  FunctionDeploymentSummary,
} from '../FunctionDeploymentStore';
import type { SqlRunner } from './SqlRunner';

/** The statements of the function_deployments table, by name: one text for both databases, `?` placeholders. */
export const FUNCTION_DEPLOYMENT_SQL = {
  add:
    'INSERT INTO function_deployments (created_at, rolled_back_from, functions) VALUES (?, ?, ?) ' +
    'RETURNING version, created_at, rolled_back_from',
  activeVersion: 'SELECT MAX(version) AS version FROM function_deployments',
  get: 'SELECT version, created_at, rolled_back_from, functions FROM function_deployments WHERE version = ?',
  list: 'SELECT version, created_at, rolled_back_from, functions FROM function_deployments ORDER BY version DESC',
  /** The `leases` row of the removed-syncs sweep: taken when free, run out, or already ours. */
  claimSweep: `INSERT INTO leases (name, owner, lease_until) VALUES ('removed-syncs', ?, ?)
    ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
    WHERE leases.owner = excluded.owner OR leases.lease_until <= ?`,
} as const;

interface Row {
  version: number | string;
  created_at: string;
  rolled_back_from: number | string | null;
  functions?: string;
}

/** Deployments of functions (see FunctionDeploymentStore) in SQL both databases run. */
export class SqlFunctionDeploymentStore implements FunctionDeploymentStore {
  constructor(private readonly db: SqlRunner) {}

  async add(functions: readonly DeployedFunction[], rolledBackFrom?: number): Promise<FunctionDeployment> {
    const params = [new Date().toISOString(), rolledBackFrom ?? null, JSON.stringify(functions)];
    const row = await this.db.get<Row>(FUNCTION_DEPLOYMENT_SQL.add, params);
    if (!row) throw new Error('the insert of a deployment returned no row');
    return { ...headerOf(row), functions };
  }

  async activeVersion(): Promise<number> {
    const row = await this.db.get<{ version: number | string | null }>(FUNCTION_DEPLOYMENT_SQL.activeVersion);
    return Number(row?.version ?? 0);
  }

  async get(version: number): Promise<FunctionDeployment | undefined> {
    const row = await this.db.get<Row>(FUNCTION_DEPLOYMENT_SQL.get, [version]);
    return row && { ...headerOf(row), functions: JSON.parse(row.functions ?? '[]') as DeployedFunction[] };
  }

  async claimRemovedSyncSweep(owner: string, leaseUntil: number, now = Date.now()): Promise<boolean> {
    return (await this.db.run(FUNCTION_DEPLOYMENT_SQL.claimSweep, [owner, leaseUntil, now])) > 0;
  }

  async list(): Promise<FunctionDeploymentSummary[]> {
    const rows = await this.db.all<Row>(FUNCTION_DEPLOYMENT_SQL.list);
    return rows.map((row, index) => ({
      ...headerOf(row),
      active: index === 0,
      functions: (JSON.parse(row.functions ?? '[]') as DeployedFunction[]).map(({ integration, name, type, version }) => ({
        integration,
        name,
        type,
        version,
      })),
    }));
  }
}

/** PostgreSQL's BIGINT comes back as a string: both become numbers. */
function headerOf(row: Row): Omit<FunctionDeployment, 'functions'> {
  return {
    version: Number(row.version),
    createdAt: row.created_at,
    rolledBackFrom: row.rolled_back_from === null ? null : Number(row.rolled_back_from),
  };
}
