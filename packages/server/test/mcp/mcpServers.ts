import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The URLs mcpServersProcess.mjs prints. */
export interface McpServerUrls {
  /** The authorization server (oidc-provider). */
  readonly issuer: string;
  readonly resourceOrigin: string;
  /** The MCP server whose metadata is at the RFC 9728 well-known URL. */
  readonly resource: string;
  /** An MCP server whose metadata only a 401's WWW-Authenticate names. */
  readonly hidden: string;
  /** An MCP server with no metadata at all. */
  readonly bare: string;
}

/** What the servers saw, for the tests to check. */
export interface McpServerState {
  readonly registrations: number;
  readonly tokenRequests: readonly { grant_type: string; client_id: string; auth_method: string; resource?: string }[];
  /** Every GET /mcp/items the server answered: the token it came with, and whom and which client it was issued to. */
  readonly itemReads: readonly { token: string; sub: string; client: string }[];
}

/** The remote MCP server and its authorization server of mcpServersProcess.mjs, in a child process of the test. */
export class McpServers {
  private constructor(
    private readonly child: ChildProcess,
    readonly urls: McpServerUrls,
  ) {}

  /** Starts them; resolves once both listen. */
  static async start(): Promise<McpServers> {
    const child = spawn(process.execPath, [join(__dirname, 'mcpServersProcess.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const urls = await new Promise<McpServerUrls>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.once('line', (line) => resolve(JSON.parse(line) as McpServerUrls));
      child.once('exit', (code) => reject(new Error(`mcpServersProcess.mjs exited with ${code}: ${stderr}`)));
    });
    return new McpServers(child, urls);
  }

  /** Changes how the authorization server behaves (see mcpServersProcess.mjs). */
  async control(settings: { refuseRegistration?: boolean }): Promise<void> {
    const response = await fetch(`${this.urls.resourceOrigin}/_control`, { method: 'POST', body: JSON.stringify(settings) });
    if (!response.ok) throw new Error(`control answered ${response.status}`);
  }

  async state(): Promise<McpServerState> {
    return (await (await fetch(`${this.urls.resourceOrigin}/_state`)).json()) as McpServerState;
  }

  /** Stops the child and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
