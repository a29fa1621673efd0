import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveWorkerSettings, SETTINGS_ENV } from '../../src/settings';
import { startApi } from '../helpers/apiHarness';

// What in deploy/kubernetes/ can drift from the server: the variables it sets, the probes' paths and ports, the
// grace period. It checks the files, not a cluster (none is available here).

const DIR = join(__dirname, '..', '..', '..', '..', 'deploy', 'kubernetes');
/** Read by encryption/Keyring.ts rather than settings.ts (and listed by --help beside SETTINGS_ENV). */
const KEYRING_ENV = ['NANGO_ENCRYPTION_KEY', 'NANGO_ENCRYPTION_OLD_KEYS'];
const KNOWN = new Set([...SETTINGS_ENV.map(([name]) => name), ...KEYRING_ENV]);

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked by shape below */
interface Manifest {
  file: string;
  doc: any;
}

function manifests(): Manifest[] {
  const files = readdirSync(DIR).filter((file) => file.endsWith('.yaml'));
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message ?? ''}`);
      return { file, doc: document.toJS() };
    }),
  );
}

const all = manifests();
const ofKind = (kind: string) => all.filter((m) => m.doc?.kind === kind);
const configMap = ofKind('ConfigMap')[0]?.doc.data as Record<string, string>;
const secret = ofKind('Secret')[0]?.doc.stringData as Record<string, string>;
const deployments = ofKind('Deployment');
const container = (m: Manifest) => m.doc.spec.template.spec.containers[0];
const role = (m: Manifest) => container(m).command.at(-1) as string;
/** A probe's port, by name or number, as a number. */
const portOf = (m: Manifest, port: string | number): number =>
  typeof port === 'number' ? port : container(m).ports.find((p: any) => p.name === port).containerPort;
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('deploy/kubernetes', () => {
  it('parses, and holds a ConfigMap, a Secret template, both roles, a Service and a PodDisruptionBudget per role', () => {
    expect(configMap).toBeDefined();
    expect(secret).toBeDefined();
    expect(deployments.map(role).sort()).toEqual(['api', 'worker']);
    expect(ofKind('Service').map((m) => m.doc.spec.selector['app.kubernetes.io/component'])).toEqual(['api']);
    expect(
      ofKind('PodDisruptionBudget')
        .map((m) => m.doc.spec.selector.matchLabels['app.kubernetes.io/component'])
        .sort(),
    ).toEqual(['api', 'worker']);
  });

  it('names only NANGO_* variables the server knows', () => {
    const named = new Map<string, string>();
    for (const m of all) {
      for (const match of JSON.stringify(m.doc).matchAll(/NANGO_[A-Z0-9_]+/g)) named.set(match[0], m.file);
    }
    expect(named.size).toBeGreaterThan(5);
    const unknown = [...named].filter(([name]) => !KNOWN.has(name)).map(([name, file]) => `${file}: ${name}`);
    expect(unknown).toEqual([]);
  });

  it('sets values the server accepts, on quorum queues, with every broker node', () => {
    const env = { ...configMap, ...secret };
    const settings = resolveWorkerSettings(env);
    expect(settings.queueType).toBe('quorum');
    expect(settings.rabbitmqUrl.split(',')).toHaveLength(3);
    expect(settings.databaseUrl).toMatch(/^postgres:\/\//);
    expect(settings.metricsPort).toBeDefined();
    // Every pod reads both, and the settings' ports are those the containers declare.
    for (const m of deployments) {
      const from = container(m).envFrom.map(
        (source: { configMapRef?: { name: string }; secretRef?: { name: string } }) =>
          source.configMapRef?.name ?? source.secretRef?.name,
      );
      expect(from).toEqual([ofKind('ConfigMap')[0]?.doc.metadata.name, ofKind('Secret')[0]?.doc.metadata.name]);
      expect(portOf(m, 'metrics')).toBe(settings.metricsPort);
    }
  });

  it("gives each pod longer than the server's shutdown grace, plus its preStop pause", () => {
    const grace = resolveWorkerSettings({ ...configMap, ...secret }).shutdownGraceMs;
    for (const m of deployments) {
      const preStop: string[] = container(m).lifecycle?.preStop?.exec?.command ?? [];
      const pauseMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
      expect({
        role: role(m),
        enough: m.doc.spec.template.spec.terminationGracePeriodSeconds * 1000 >= grace + pauseMs + 5000,
      }).toEqual({
        role: role(m),
        enough: true,
      });
    }
  });

  it('probes the API on paths it answers without a key, on its own port; the worker on its metrics listener', async () => {
    const settings = resolveWorkerSettings({ ...configMap, ...secret });
    const names = ['readinessProbe', 'livenessProbe', 'startupProbe'];
    const api = deployments.find((m) => role(m) === 'api') as Manifest;
    const worker = deployments.find((m) => role(m) === 'worker') as Manifest;
    const probes = (m: Manifest) => names.map((name) => ({ name, ...container(m)[name].httpGet }));
    for (const probe of probes(api)) expect(portOf(api, probe.port)).toBe(settings.port);
    for (const probe of probes(worker)) expect(portOf(worker, probe.port)).toBe(settings.metricsPort);
    // Readiness follows the broker links; the API's liveness does not (a broker outage must not restart it).
    const paths = (m: Manifest): Record<string, string> =>
      Object.fromEntries(probes(m).map((probe) => [probe.name, probe.path as string]));
    expect(paths(api)).toEqual({ readinessProbe: '/health/ready', livenessProbe: '/health', startupProbe: '/health' });
    expect(paths(worker).readinessProbe).toBe('/health/ready');
    // The real routes, with a secret key set as in the Secret: a kubelet's probe carries no key.
    const harness = await startApi({ secretKey: 'k8s-test-secret', metricsPort: 0 });
    try {
      await harness.worker.brokerLinksReady();
      for (const path of new Set(Object.values(paths(api)))) {
        expect({ path, status: (await harness.call(path)).status }).toEqual({ path, status: 200 });
      }
      for (const path of new Set(Object.values(paths(worker)))) {
        const response = await fetch(`${harness.worker.metricsUrl}${path}`);
        await response.arrayBuffer();
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
      // The health paths are open; the metrics beside them still ask for the key.
      const metrics = await fetch(`${harness.worker.metricsUrl}/metrics`);
      await metrics.arrayBuffer();
      expect(metrics.status).toBe(401);
    } finally {
      await harness.stop();
    }
  });
});
