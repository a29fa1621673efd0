import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Every way apps load the client, run against the built package (dist/ and esm/, as npm would install it) in a
 * child process: `npm test` builds first. Constructing a client opens nothing, so no broker is needed.
 */
const ROOT = join(__dirname, '..', '..', '..');

function runNode(kind: 'cjs' | 'esm', code: string): { status: number | null; stdout: string; stderr: string } {
  const args = kind === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

/** Prints what the loaded value is, so a failure shows what the form got. */
const REPORT = `
  const client = new Nango();
  console.log([typeof Nango, client instanceof Nango, typeof client.triggerAction, typeof NangoError].join(' '));
`;
const EXPECTED = 'function true function function';

describe('@nangohq/node-client loads in every import form', () => {
  it.each([
    ['CJS require of the package itself', `const Nango = require('@nangohq/node-client'); const { NangoError } = Nango;`],
    ['CJS destructured', `const { Nango, NangoError } = require('@nangohq/node-client');`],
    [
      'CJS .default',
      `const Nango = require('@nangohq/node-client').default; const { NangoError } = require('@nangohq/node-client');`,
    ],
    [
      'CJS as TypeScript compiles a default import (esModuleInterop)',
      `const mod = require('@nangohq/node-client'); const Nango = (mod && mod.__esModule ? mod : { default: mod }).default; const NangoError = mod.NangoError;`,
    ],
  ])('%s', (_name, load) => {
    const run = runNode('cjs', load + REPORT);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(EXPECTED);
  });

  it.each([
    ['ESM default', `import Nango from '@nangohq/node-client'; import { NangoError } from '@nangohq/node-client';`],
    ['ESM named', `import { Nango, NangoError } from '@nangohq/node-client';`],
    ['ESM namespace', `import * as ns from '@nangohq/node-client'; const Nango = ns.default; const { NangoError } = ns;`],
  ])('%s', (_name, load) => {
    const run = runNode('esm', load + REPORT);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(EXPECTED);
  });

  it('require and import share one class, so instanceof NangoError holds across them', () => {
    const run = runNode(
      'esm',
      `import { createRequire } from 'node:module';
       import { NangoError } from '@nangohq/node-client';
       const required = createRequire(import.meta.url)('@nangohq/node-client');
       console.log(required.NangoError === NangoError, required.ERROR_CODES !== undefined);`,
    );
    expect(run.stdout).toBe('true true');
  });
});
