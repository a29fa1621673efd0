import { join } from 'node:path';

/** The dashboard's settings, as the HTTP door uses them (see WorkerSettings for their variables). */
export interface DashboardSettings {
  /** The built dashboard: index.html and assets/. */
  readonly dir: string;
  /** NANGO_DASHBOARD_USER and NANGO_DASHBOARD_PASSWORD, set together or not at all. */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** NANGO_DASHBOARD_SESSION_TTL_S, in ms. */
  readonly sessionTtlMs: number;
}

/**
 * Where `npm run build` puts the dashboard (packages/dashboard's Vite build): packages/server/dist/dashboard. Found
 * from this file, three folders under the package both as a source (src/api/dashboard, as jest runs it) and as
 * built (dist/api/dashboard).
 */
export const BUILT_DASHBOARD_DIR = join(__dirname, '..', '..', '..', 'dist', 'dashboard');
