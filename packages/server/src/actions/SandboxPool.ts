import type { Logger } from '../logger';
import { Sandbox } from './Sandbox';

/**
 * Sandboxes kept warm between runs, by memory cap (a thread's cap is fixed when it starts). A run takes one to
 * itself and gives it back when it ended cleanly; a sandbox that died or was stopped is dropped and a fresh one
 * started in its place, so the next run does not pay for the start.
 */
export class SandboxPool {
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private closed = false;

  /** @param maxIdle sandboxes kept warm at most (the worker's NANGO_MAX_CONCURRENT_ACTIONS) */
  constructor(
    private readonly maxIdle: number,
    private readonly logger: Logger,
  ) {}

  /** A sandbox with that cap, warm if one is idle, for one run. */
  take(memoryMb: number): Sandbox {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const sandbox = this.idle[i]!;
      if (sandbox.memoryMb !== memoryMb || !sandbox.usable) continue;
      this.idle.splice(i, 1);
      return sandbox;
    }
    return this.start(memoryMb);
  }

  /** Takes a sandbox back after a run: kept warm if it is still usable, else replaced. */
  give(sandbox: Sandbox): void {
    if (this.closed) {
      void sandbox.stop();
      return;
    }
    if (!sandbox.usable) {
      void sandbox.stop();
      this.logger.info({ memoryMb: sandbox.memoryMb }, 'action sandbox stopped; starting a fresh one');
      this.keep(this.start(sandbox.memoryMb));
      return;
    }
    this.keep(sandbox);
  }

  /** Stops every sandbox, busy ones included, and resolves once all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.all].map((sandbox) => sandbox.stop()));
  }

  private keep(sandbox: Sandbox): void {
    this.idle.push(sandbox);
    // Beyond the cap, the longest-idle one goes (most often of a cap no longer in use).
    while (this.idle.length > this.maxIdle) void this.idle.shift()?.stop();
  }

  private start(memoryMb: number): Sandbox {
    const sandbox = new Sandbox(memoryMb);
    this.all.add(sandbox);
    void sandbox.exited.then(() => {
      this.all.delete(sandbox);
      const at = this.idle.indexOf(sandbox);
      if (at >= 0) this.idle.splice(at, 1); // died while idle (a late throw from its last run)
    });
    return sandbox;
  }
}
