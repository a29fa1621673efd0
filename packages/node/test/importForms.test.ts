import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The built package (dist/ and esm/, as npm would install it) loads with require and import and exposes one class:
 * `npm test` builds first.
 */
const ROOT = join(__dirname, '..', '..', '..');

function runNode(kind: 'cjs' | 'esm', code: string): { stdout: string; stderr: string } {
  const args = kind === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { stdout: run.stdout.trim(), stderr: run.stderr };
}

const REPORT = `
  const client = new Nango({ secretKey: 'k' });
  console.log([typeof Nango, client instanceof Nango, typeof client.proxy, typeof NangoError, typeof verifyIncomingWebhookRequest].join(' '));
`;
const EXPECTED = 'function true function function function';

describe('@nangohq/node loads in every import form', () => {
  it.each([
    ['CJS destructured', `const { Nango, NangoError, verifyIncomingWebhookRequest } = require('@nangohq/node');`],
    [
      'CJS .default',
      `const Nango = require('@nangohq/node').default; const { NangoError, verifyIncomingWebhookRequest } = require('@nangohq/node');`,
    ],
  ])('%s', (_name, load) => {
    const run = runNode('cjs', load + REPORT);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(EXPECTED);
  });

  it.each([
    ['ESM named', `import { Nango, NangoError, verifyIncomingWebhookRequest } from '@nangohq/node';`],
    ['ESM default', `import Nango, { NangoError, verifyIncomingWebhookRequest } from '@nangohq/node';`],
  ])('%s', (_name, load) => {
    const run = runNode('esm', load + REPORT);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(EXPECTED);
  });

  it('require and import share one NangoError class', () => {
    const run = runNode(
      'esm',
      `import { createRequire } from 'node:module';
       import { NangoError } from '@nangohq/node';
       console.log(createRequire(import.meta.url)('@nangohq/node').NangoError === NangoError);`,
    );
    expect(run.stdout).toBe('true');
  });
});
