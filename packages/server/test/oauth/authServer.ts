import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The client credentials the auth server accepts. */
export const CLIENT_ID = 'nango-test-client';
export const CLIENT_SECRET = 'nango-test-secret-do-not-log';

/** One call to the token endpoint, as the auth server saw it (the client secret is never recorded). */
export interface TokenCall {
  grantType: string;
  refreshToken?: string;
  clientId?: string;
  clientAuth: 'body' | 'basic';
  /** Authorization-code grants: the PKCE verifier and redirect URI sent, and how the body was encoded. */
  codeVerifier?: string;
  redirectUri?: string;
  contentType?: string;
  at: number;
}

/** How the auth server answers from now on; see authServerProcess.mjs. */
export interface Behaviour {
  delayMs?: number;
  failNext?: { status: number; count: number };
  omitRefreshToken?: boolean;
  /** Seconds put in expires_in of responses; null leaves it out. Default: the mock server's 3600. */
  expiresIn?: number | null;
  /** Answer invalid_grant with an error_description quoting the refresh token, client id and client secret sent. */
  rejectEchoing?: boolean;
}

/**
 * oauth2-mock-server in a child process (authServerProcess.mjs), steered and counted over its control endpoints.
 * `stop()` ends the process; a test that forgets it leaves a process behind, so every test file calls it.
 */
export class AuthServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** The token endpoint, for oauth.token_url. */
  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** Starts the server and resolves once it listens. */
  static async start(): Promise<AuthServer> {
    const child = spawn(process.execPath, [join(__dirname, 'authServerProcess.mjs')], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, CLIENT_ID, CLIENT_SECRET },
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`the auth server exited with ${code} before it listened`))),
    );
    if (!child.stdout) throw new Error('the auth server has no stdout'); // never: it is piped
    const lines = createInterface({ input: child.stdout });
    const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
    try {
      const { url } = JSON.parse(await Promise.race([firstLine, exited])) as { url: string };
      return new AuthServer(child, url);
    } finally {
      lines.close();
      exited.catch(() => undefined);
    }
  }

  /** Every call to the token endpoint so far. */
  async calls(): Promise<TokenCall[]> {
    return (await fetch(`${this.url}/control/calls`)).json() as Promise<TokenCall[]>;
  }

  /** Changes how the token endpoint answers from now on. */
  async behave(behaviour: Behaviour): Promise<void> {
    await this.post('/control/behave', behaviour);
  }

  /** Makes the provider reject `refreshToken` with invalid_grant from now on. */
  async revoke(refreshToken: string): Promise<void> {
    await this.post('/control/revoke', { refreshToken });
  }

  /** Ends the server process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`auth server ${path} answered ${response.status}`);
    await response.arrayBuffer();
  }
}
