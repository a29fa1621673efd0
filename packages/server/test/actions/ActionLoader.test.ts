import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NangoAction } from '@nangohq/action';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { evaluateAction } from '../../src/actions/evaluateAction';

const fixtures = join(__dirname, '..', 'fixtures', 'integrations');

describe('ActionLoader and evaluateAction', () => {
  const loader = new ActionLoader();
  // What a sandbox does with the compiled code, here in the test's own thread.
  const loadClass = async (file: string, from: ActionLoader = loader) => {
    const compiled = await from.load(file);
    return evaluateAction(compiled.file, compiled.name, compiled.code, compiled.root);
  };

  it('loads a default-exported action class that extends the worker’s NangoAction', async () => {
    const cls = await loadClass(join(fixtures, 'demo', 'echo.action.ts'));
    expect(cls.prototype).toBeInstanceOf(NangoAction);
  });

  it('bundles relative TypeScript imports and finds a named export', async () => {
    const cls = await loadClass(join(fixtures, 'demo', 'withHelper.action.ts'));
    expect(await new cls().executeAction({ text: 'hi' })).toBe('HI!');
  });

  it('caches: the same file is compiled once, and a new compile has a new version', async () => {
    const file = join(fixtures, 'demo', 'returnsNothing.action.ts');
    const first = await loader.load(file);
    expect(await loader.load(file)).toBe(first);
    const other = new ActionLoader();
    expect((await other.load(file)).version).not.toBe(first.version);
  });

  it.each([
    ['syntaxError', /broken\/syntaxError\.action\.ts: does not compile: .*syntaxError\.action\.ts:5:\d+: Unexpected ";"/],
    ['throwsAtImport', /broken\/throwsAtImport\.action\.ts: threw while loading: cannot start: MISSING_SETTING/],
    ['noActionClass', /broken\/noActionClass\.action\.ts: no exported class extending NangoAction/],
    ['twoClasses', /exports more than one class extending NangoAction \(First, Second\)/],
    ['doesNotExist', /doesNotExist\.action\.ts: does not compile: Could not resolve/],
  ])('reports %s with the file and the cause', async (name, message) => {
    const attempt = loadClass(join(fixtures, 'broken', `${name}.action.ts`));
    await expect(attempt).rejects.toMatchObject({ code: 'action_load_failed' });
    await expect(attempt).rejects.toThrow(message);
  });

  it('names files relative to the integrations folder in load errors, never by the server’s absolute paths', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nango-integrations-'));
    try {
      const write = (name: string, source: string) => {
        require('node:fs').mkdirSync(join(root, 'slack'), { recursive: true });
        writeFileSync(join(root, 'slack', `${name}.action.ts`), source);
      };
      write('syntax', 'export default class {\n  x = ;\n}\n');
      write('missing', "import 'left-pad-that-is-not-installed';\nexport {};\n");
      write('importsMissingFile', "import './nowhere';\nexport {};\n");
      write('throws', 'throw new Error("cannot start in " + __filename);\n');
      const rooted = new ActionLoader(root);
      const messages: string[] = [];
      for (const name of ['syntax', 'missing', 'importsMissingFile', 'throws']) {
        const error = await loadClass(join(root, 'slack', `${name}.action.ts`), rooted).catch((e: unknown) => e as Error);
        messages.push((error as Error).message);
      }
      expect(messages.map((m) => m.split(':')[0])).toEqual([
        'slack/syntax.action.ts',
        'slack/missing.action.ts',
        'slack/importsMissingFile.action.ts',
        'slack/throws.action.ts',
      ]);
      expect(messages[0]).toMatch(/^slack\/syntax\.action\.ts: does not compile: slack\/syntax\.action\.ts:2:\d+: /);
      expect(messages[1]).toMatch(/Cannot find module 'left-pad-that-is-not-installed'/);
      expect(messages[2]).toMatch(/slack\/importsMissingFile\.action\.ts:1:\d+: Could not resolve "\.\/nowhere"/);
      expect(messages[3]).toBe('slack/throws.action.ts: threw while loading: cannot start in slack/throws.action.ts');
      for (const message of messages) expect(message).not.toContain(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('resolves other packages from the action file’s own folder, wherever it lives', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'nango-user-repo-'));
    try {
      const pkg = join(outside, 'node_modules', 'left-pad-ish');
      cpSync(join(fixtures, 'demo', 'lib'), join(outside, 'lib'), { recursive: true });
      require('node:fs').mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'index.js'), 'module.exports = (s) => "  " + s;');
      writeFileSync(
        join(outside, 'pad.action.ts'),
        `import { NangoAction } from '@nangohq/action';\nimport pad = require('left-pad-ish');\n` +
          `export default class Pad extends NangoAction<{ s: string }> { override async executeAction(i: { s: string }) { return pad(i.s); } }\n`,
      );
      const cls = await loadClass(join(outside, 'pad.action.ts'));
      expect(await new cls().executeAction({ s: 'x' })).toBe('  x');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('recompiles after invalidateAll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nango-reload-'));
    const file = join(dir, 'v.action.ts');
    const write = (v: number) =>
      writeFileSync(
        file,
        `import { NangoAction } from '@nangohq/action';\nexport default class V extends NangoAction { override async executeAction() { return ${v}; } }\n`,
      );
    try {
      write(1);
      expect(await new (await loadClass(file))().executeAction({})).toBe(1);
      write(2);
      expect(await new (await loadClass(file))().executeAction({})).toBe(1);
      loader.invalidateAll();
      expect(await new (await loadClass(file))().executeAction({})).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
