import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Worker processes starting together on a database file that does not exist yet (a fresh deployment of several
// workers): each must open it, migrate it, make or read the key, and go on. Runs the built store, as the CLI does.
const OPEN_STORE = join(__dirname, '..', '..', 'dist', 'store', 'openStore.js');
const SCRIPT = `const { openStore } = require(${JSON.stringify(OPEN_STORE)});
const { store } = openStore({}, process.argv[1]);
store.insert({ integration: 'x', userId: String(process.pid), credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
store.close();`;

function openInProcess(dbPath: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, dbPath]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('fault: several processes opening a new database at once', () => {
  it('all succeed, with one schema, one key and every write kept (8 rounds of 4 processes)', async () => {
    for (let round = 0; round < 8; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'nango-shared-'));
      try {
        const dbPath = join(dir, 'data', 'nango.sqlite');
        const results = await Promise.all(Array.from({ length: 4 }, () => openInProcess(dbPath)));
        expect(results.map((r) => (r.code === 0 ? 'ok' : r.stderr.trim()))).toEqual(['ok', 'ok', 'ok', 'ok']);
        const check = await new Promise<string>((resolve) => {
          const child = spawn(process.execPath, [
            '-e',
            `const D = require('better-sqlite3'); const db = new D(process.argv[1]); console.log(db.prepare('SELECT count(*) FROM connections').pluck().get())`,
            dbPath,
          ]);
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.once('close', () => resolve(out.trim()));
        });
        expect(check).toBe('4');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // 40 process starts: about 3 s on an idle machine, 15 s measured on a 2-core one running other suites.
  }, 60_000);
});
