import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What the README and the guides in docs/ tell a user to type must work in a fresh clone after `npm ci`, with nothing
// fetched from the registry: npx must find each command in node_modules/.bin. `npm test` builds first.
const ROOT = join(__dirname, '..', '..', '..', '..');
const OFFLINE = { ...process.env, npm_config_yes: 'false', npm_config_offline: 'true' };

function npx(args: string[]) {
  return spawnSync('npx', args, { cwd: ROOT, env: OFFLINE, encoding: 'utf8', timeout: 60_000 });
}

describe('commands the README, docs/ and --help suggest', () => {
  it('`npx nango-server --help` works from the repository root', () => {
    const run = npx(['nango-server', '--help']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('nango-server: runs the Nango worker and its HTTP API.');
    expect(run.stdout).toContain('NANGO_RABBITMQ_URL');
  });

  it('every `npx <command>` they mention is installed', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'packages', 'server', 'dist', 'cli.js'), '--help'], {
      encoding: 'utf8',
    }).stdout;
    const pages = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const texts = [...pages.map((page) => readFileSync(join(ROOT, page), 'utf8')), help];
    const commands = new Set(texts.flatMap((text) => [...text.matchAll(/\bnpx ([a-z][\w@/.-]*)/g)].map((m) => m[1] ?? '')));
    // pino-pretty is in the README, nango in the HTTP API guide: both kinds of page are read.
    expect([...commands]).toEqual(expect.arrayContaining(['pino-pretty', 'nango-server', 'nango']));
    for (const command of commands) {
      const run = npx([command, '--help']);
      expect([command, run.status]).toEqual([command, 0]);
    }
  });
});
