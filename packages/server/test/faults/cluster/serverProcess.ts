/**
 * One `nango-server api` or `nango-server worker` process of the cluster harness, spawned from the built command
 * line as a deployment runs it. It keeps its port across restarts (a load balancer's address list does not change
 * when a pod restarts) and is ready when its `GET /health/ready` answers 200, as a readiness probe sees it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');
const CLI = join(ROOT, 'packages', 'server', 'dist', 'cli.js');
/** The last this many characters of a process's output are kept (--logs writes them), every start included. */
const OUTPUT_KEPT = 20_000_000;

export type Role = 'api' | 'worker';

export class ServerProcess {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<number | null> = Promise.resolve(null);
  private text = '';
  /** How many times the process was started. */
  starts = 0;
  /**
   * Whether the harness's HTTP load sends to it: what a load balancer's endpoint list says. A rolling restart takes
   * an API out before its SIGTERM (as Kubernetes does, with the preStop pause) and back once it is ready.
   */
  inRotation = true;

  constructor(
    readonly name: string,
    readonly role: Role,
    /** The port of its `/health/ready`: NANGO_PORT of an API, NANGO_METRICS_PORT of a worker. */
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Base URL of its HTTP listener (the API, or the worker's metrics and health listener). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the process wrote (its last 20 MB), every start included. */
  output(): string {
    return this.text;
  }

  /** Spawns the process; `ready()` waits for it. @throws Error when it is running already */
  spawn(): void {
    if (this.running) throw new Error(`${this.name} is running already`);
    const child = spawn(process.execPath, [CLI, this.role], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.text = (this.text + chunk.toString()).slice(-OUTPUT_KEPT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitedPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
    this.starts += 1;
  }

  /** Resolves once `GET /health/ready` answers 200. @throws Error with its output if it exits or takes too long */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.text.slice(-3_000)}`);
      const ok = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3_000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.text.slice(-3_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Sends `signal` and resolves with the exit code (null when a signal ended it) once the process has ended. */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.child?.kill(signal);
    return this.exitedPromise;
  }
}
