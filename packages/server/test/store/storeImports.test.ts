import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const STORE = resolve(__dirname, '../../src/store');

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The files of store/ that `file` imports or re-exports from, type-only imports included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gm)]
    .map((match) => `${resolve(dirname(file), match[1] as string)}.ts`)
    .filter((target) => target.startsWith(STORE) && existsSync(target));
}

/** Import cycles, each as the files in it (relative to store/). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)).map((f) => relative(STORE, f)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('store/ imports', () => {
  const graph = new Map(sources(STORE).map((file) => [file, importsOf(file)]));

  it('reads the imports it checks', () => {
    expect(graph.get(join(STORE, 'Store.ts'))).toContain(join(STORE, 'AsyncActionStore.ts'));
    expect(graph.get(join(STORE, 'AsyncActionStore.ts'))).toContain(join(STORE, 'StoredOutcome.ts'));
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).toHaveLength(1);
  });

  it('has no file importing one that imports it back, type-only imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });
});
