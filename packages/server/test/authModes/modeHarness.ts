import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, type Harness } from '../helpers/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');

/**
 * The `syncs:` block of an integration in these tests (indented to sit under `integrations.<name>`): the `items` sync
 * of fixtures/authModes/items.sync.ts and its model.
 */
export const ITEMS_SYNC_YAML = `    syncs:
      items:
        models:
          Item: { type: object, properties: { id: { type: string }, name: { type: string } }, required: [id, name] }
`;

/** A worker started for one auth mode's end-to-end tests, with its HTTP API and the fixtures' action and sync. */
export interface ModeHarness {
  readonly harness: Harness;
  /** The worker's HTTP API. */
  readonly url: string;
  /** Headers that carry the secret key. */
  readonly withKey: { readonly authorization: string };
  /** Stops the worker and deletes the integrations folder. */
  stop(): Promise<void>;
}

/**
 * Starts a worker on `yaml` whose integrations named in `withScripts` each get the fixtures' `call` action and
 * `items` sync (an integration's yaml adds ITEMS_SYNC_YAML to run the sync), an HTTP API on a free port with
 * `secretKey`, syncs looked at every 100 ms, and `provider` (if given) as the whole catalog.
 */
export async function startModeHarness(options: {
  yaml: string;
  withScripts: readonly string[];
  secretKey: string;
  provider?: Provider;
  /** Several providers as the whole catalog, instead of `provider`. */
  providers?: readonly Provider[];
}): Promise<ModeHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'nango-mode-'));
  for (const integration of options.withScripts) {
    mkdirSync(join(dir, integration));
    cpSync(join(FIXTURES, 'call.action.ts'), join(dir, integration, 'call.action.ts'));
    cpSync(join(FIXTURES, 'items.sync.ts'), join(dir, integration, 'items.sync.ts'));
  }
  try {
    const harness = await startHarness({
      yaml: options.yaml,
      integrationsDir: dir,
      ...(options.provider && { catalog: catalogOf(options.provider) }),
      ...(options.providers && { catalog: catalogOf(...options.providers) }),
      port: 0,
      secretKey: options.secretKey,
      syncTickMs: 100,
    });
    return {
      harness,
      url: harness.worker.httpUrl as string,
      withKey: { authorization: `Bearer ${options.secretKey}` },
      stop: async () => {
        await harness.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
