// Start-up with 50 integrations and 200 actions: time from process start to the ready line, then the latency of
// the first call of an action (it compiles) and of later calls of the same action. writeIntegrations is shared with
// bench/startup-ab.mjs.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { deleteQueues, RABBITMQ_URL, startWorker } from '../lib/processes.mjs';
import { quantile, spread } from '../lib/stats.mjs';
import server from '@nangohq/server';

const INTEGRATIONS = 50;
const ACTIONS_EACH = 4;

export async function startupScenario({ quick, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-startup-'));
  const yamlPath = writeIntegrations(dir);
  const ready = [];
  const first = [];
  const later = [];
  try {
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const queue = `bench.startup.${randomUUID()}`;
      const worker = await startWorker({
        NANGO_QUEUE: queue,
        NANGO_DB_PATH: join(dir, `round${round}.sqlite`),
        NANGO_INTEGRATIONS_YAML: yamlPath,
        NANGO_INTEGRATIONS_DIR: join(dir, 'integrations'),
      });
      ready.push(worker.readyMs);
      const nango = new Nango({ url: RABBITMQ_URL, queue });
      try {
        await nango.connect();
        for (let i = 0; i < 5; i++) {
          const integration = `svc${i * 7}`;
          await nango.registerConnection(integration, 'u1', { api_key: 'k' });
          const t0 = performance.now();
          await nango.triggerAction(integration, 'a1', 'u1', {});
          first.push(performance.now() - t0);
          const times = [];
          for (let n = 0; n < 50; n++) {
            const t1 = performance.now();
            await nango.triggerAction(integration, 'a1', 'u1', {});
            times.push(performance.now() - t1);
          }
          later.push(quantile(times, 0.5));
        }
        log(`startup: round ${round + 1}, ready in ${worker.readyMs.toFixed(0)} ms`);
      } finally {
        await nango.close();
        await worker.stop();
        await deleteQueues(server.workerQueueNames(queue));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    integrations: INTEGRATIONS,
    actions: INTEGRATIONS * ACTIONS_EACH,
    readyMs: spread(ready),
    firstCallMs: spread(first),
    laterCallMs: spread(later),
  };
}

export function writeIntegrations(dir) {
  const lines = ['integrations:'];
  for (let i = 0; i < INTEGRATIONS; i++) {
    const name = `svc${i}`;
    lines.push(
      `  ${name}:`,
      '    auth_mode: API_KEY',
      `    base_url: https://${name}.example.com`,
      '    headers:',
      '      X-Key: ${api_key}',
      '    actions:',
    );
    mkdirSync(join(dir, 'integrations', name), { recursive: true });
    for (let a = 1; a <= ACTIONS_EACH; a++) {
      lines.push(`      a${a}:`);
      writeFileSync(
        join(dir, 'integrations', name, `a${a}.action.ts`),
        `import { NangoAction } from '@nangohq/action';\n\ninterface Input { n?: number }\n\nexport default class A${a} extends NangoAction<Input> {\n  override async executeAction(input: Input) {\n    return { integration: '${name}', action: 'a${a}', n: input.n ?? 0 };\n  }\n}\n`,
      );
    }
  }
  const yamlPath = join(dir, 'integrations.yaml');
  writeFileSync(yamlPath, `${lines.join('\n')}\n`);
  return yamlPath;
}
