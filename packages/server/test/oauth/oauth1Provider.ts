import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Debian's python3, which has python3-oauthlib (a pyenv or venv python on PATH may not). */
const PYTHON = '/usr/bin/python3';

export const CONSUMER_KEY = 'nango-oauth1-consumer';
export const CONSUMER_SECRET = 'oauth1-consumer-secret-do-not-log';

/** One call the provider answered: whether its signature, token and verifier checked out, and if not why. */
export interface OAuth1Call {
  endpoint: string;
  ok: boolean;
  reason?: string;
}

/** oauth1Provider.py in a child process; see there. `stop()` ends it. */
export class OAuth1Provider {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<OAuth1Provider> {
    const child = spawn(PYTHON, [join(__dirname, 'oauth1Provider.py'), CONSUMER_KEY, CONSUMER_SECRET], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(
          new Error(
            `the OAuth 1.0a provider exited with ${code} before it listened (is python3-oauthlib installed? apt-get install python3-oauthlib)`,
          ),
        ),
      ),
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
    try {
      const { url } = JSON.parse(await Promise.race([firstLine, exited])) as { url: string };
      return new OAuth1Provider(child, url);
    } finally {
      lines.close();
      exited.catch(() => undefined);
    }
  }

  async calls(): Promise<OAuth1Call[]> {
    return (await fetch(`${this.url}/control/calls`)).json() as Promise<OAuth1Call[]>;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    await exited;
  }
}
