import pg from 'pg';
import { generateKey } from '../../src/encryption/Keyring';
import { OwnPostgres } from '../helpers/ownPostgres';
import { waitFor } from '../helpers/harness';
import { FaultRig, reportFigures, runLoad, settle, sleep, tally, type Outcome } from './faultHarness';

// Two workers on a PostgreSQL cluster this test starts itself (its own folder and port, never the machine's server)
// serve a steady load of actions and registrations while the cluster is stopped abruptly (pg_ctl -m immediate, as a
// crash) and started again. Calls that hit the outage must fail with the retryable storage_error, nothing the
// database acknowledged may be lost, and both workers must serve again by themselves, without a restart.
const OUTAGE_MS = 3_000;
const KNOWN_USERS = 10;

jest.setTimeout(120_000);

describe('fault: the PostgreSQL server restarts under load', () => {
  let cluster: OwnPostgres;
  let rig: FaultRig;

  beforeEach(async () => {
    cluster = await OwnPostgres.start();
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE nango');
    await admin.end();
    rig = await FaultRig.start();
  });

  afterEach(async () => {
    await rig?.close();
    await cluster?.destroy();
  });

  it('answers storage_error during the outage, loses nothing acknowledged, and serves again by itself', async () => {
    const env = { NANGO_DATABASE_URL: cluster.url('nango'), NANGO_ENCRYPTION_KEY: generateKey() };
    const [a, b] = await Promise.all([rig.startWorker(env), rig.startWorker(env)]);
    const nango = await rig.client({ requestTimeoutMs: 15_000 });
    for (let i = 0; i < KNOWN_USERS; i++) await nango.registerConnection('fault', `known-${i}`, { api_key: `k${i}` });

    let phase: 'before' | 'outage' | 'after' = 'before';
    let stop = false;
    const phases: Array<'before' | 'outage' | 'after'> = [];
    const registered: string[] = []; // registrations the worker acknowledged: they must survive the restart
    const load = runLoad({
      inFlight: 8,
      maxCalls: 100_000,
      done: () => stop,
      pauseAfterErrorMs: 50,
      call: async (n) => {
        phases[n] = phase;
        if (n % 4 === 0) {
          const userId = `late-${n}`;
          await nango.registerConnection('fault', userId, { api_key: `late-${n}` });
          registered.push(userId);
          return;
        }
        await nango.triggerAction('fault', 'echo', `known-${n % KNOWN_USERS}`, { n });
      },
    });

    await sleep(1_500);
    phase = 'outage';
    await cluster.stop('immediate');
    await sleep(OUTAGE_MS);
    await cluster.startAgain();
    phase = 'after';
    // Recovery: the workers' pools open new connections by themselves; give them a moment, then demand success.
    const recoveredAt = Date.now();
    let recovered: Outcome | undefined;
    await waitFor(
      async () => {
        recovered = await settle(() => nango.triggerAction('fault', 'echo', 'known-0', { probe: true }));
        return recovered.ok;
      },
      30_000,
      'the workers to serve again after the database restart',
    );
    const recoveryMs = Date.now() - recoveredAt;
    await sleep(1_500);
    stop = true;
    const outcomes = await load;

    const byPhase = (wanted: string) => outcomes.filter((_, n) => phases[n] === wanted);
    const lastSecond = outcomes.filter((o) => o.startedAt >= Date.now() - 2_500 && o.startedAt >= recoveredAt + recoveryMs);
    reportFigures('database restart', {
      outageMs: OUTAGE_MS,
      recoveryMs,
      before: tally(byPhase('before')),
      outage: tally(byPhase('outage')),
      after: tally(byPhase('after')),
    });
    // Only ever success or the retryable storage_error: no timeout, no internal_error, no crash.
    expect(Object.keys(tally(outcomes)).filter((code) => code !== 'ok' && code !== 'storage_error')).toEqual([]);
    expect(tally(byPhase('before'))).toEqual({ ok: byPhase('before').length });
    expect(tally(byPhase('outage'))['storage_error']).toBeGreaterThan(0); // the outage was felt, and said so
    expect(lastSecond.length).toBeGreaterThan(0);
    expect(lastSecond.every((o) => o.ok)).toBe(true);
    expect(a.running && b.running).toBe(true);
    // Nothing acknowledged was lost: every registration that succeeded is there, each exactly once.
    for (const userId of registered) {
      const found = await nango.getConnectionsForUserId(userId);
      expect(found.returnValue).toHaveLength(1);
    }
    expect(registered.length).toBeGreaterThan(0);
  });
});
