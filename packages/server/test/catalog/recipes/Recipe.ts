/**
 * A recipe connects one Connection of one catalog entry through the server's routes, the way the official frontend
 * (0.71) would for the entry's auth mode. The catalog walk has one recipe per auth mode (index.ts); a mode without
 * one is counted "not supported". To add a mode: write its recipe in a file of its own here and add it to RECIPES.
 */
import type { ApiHarness } from '../../helpers/apiHarness';
import type { CatalogMock } from '../CatalogMock';
import type { RawEntry } from '../nangoCatalog';

/** One entry as the walk connects it. */
export interface WalkEntry {
  /** The catalog name, also the integration's key. */
  readonly name: string;
  /** The auth mode as the catalog writes it (aliases resolved). */
  readonly mode: string;
  /** The entry as the catalog writes it, its alias's fields filled in. */
  readonly entry: RawEntry;
  readonly connectionId: string;
  /** The connection_config values a user would type (`params[…]` of the connect request). */
  readonly params: Readonly<Record<string, string>>;
}

export interface WalkContext {
  readonly api: ApiHarness;
  readonly mock: CatalogMock;
}

/** What a recipe's connect produced. */
export interface Connected {
  /** A credential value the Connection's API calls must carry (the API key, the access token…), to check a proxied call. */
  readonly carried: string | undefined;
}

export interface Recipe {
  /** The entry's integration in integrations.yaml, besides `provider: <name>` (an OAuth client, say). */
  integration(walk: WalkEntry): Record<string, unknown>;
  /**
   * Connects the Connection `walk.connectionId` and checks what GET /connection/:id then shows of its credentials.
   * @throws WalkFailure with the stage and the server's (or the mock's) reason
   */
  connect(walk: WalkEntry, context: WalkContext): Promise<Connected>;
}

/** Where an entry's walk stopped. */
export type WalkStage = 'config' | 'connect' | 'stored' | 'proxy';

/** An entry that did not get through, with its stage and the reason, as the server or the mock gave it. */
export class WalkFailure extends Error {
  constructor(
    readonly stage: WalkStage,
    message: string,
  ) {
    super(message);
    this.name = 'WalkFailure';
  }
}

/** The connect request's query as frontend 0.71 sends it: `connection_id`, then `params[<name>]` per value. */
export function connectQuery(walk: WalkEntry): string {
  const query = new URLSearchParams({ connection_id: walk.connectionId });
  for (const [name, value] of Object.entries(walk.params)) query.set(`params[${name}]`, value);
  return query.toString();
}

/** The Connection as GET /connection/:id shows it, credentials included. @throws WalkFailure `stored` */
export async function storedCredentials(walk: WalkEntry, context: WalkContext): Promise<Record<string, unknown>> {
  const key = encodeURIComponent(walk.name);
  const got = await context.api.call(`/connection/${encodeURIComponent(walk.connectionId)}?provider_config_key=${key}`);
  if (got.status !== 200) throw new WalkFailure('stored', `GET /connection/:id answered ${got.status}`);
  const credentials = (got.body as { credentials?: unknown }).credentials;
  if (typeof credentials !== 'object' || credentials === null)
    throw new WalkFailure('stored', 'the Connection has no credentials');
  return credentials as Record<string, unknown>;
}

/** The `{ error: { code, message } }` of a refused /api-auth or /auth call, as one line. */
export function refusal(status: number, body: unknown): string {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error === 'object') return `${String(error.code)}: ${String(error.message)}`;
  return `HTTP ${status}: ${typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body).slice(0, 200)}`;
}
