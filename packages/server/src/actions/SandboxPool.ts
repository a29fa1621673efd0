import type { Logger } from '../logger';
import { Sandbox } from './Sandbox';

/** A warm sandbox unused this long is stopped (all but one): each holds a few MB even when idle. */
const IDLE_STOP_MS = 60_000;

/**
 * Sandboxes kept warm between runs, by memory cap (a thread's cap is fixed when it starts). A run takes one to
 * itself and gives it back when it ended cleanly; a sandbox that died or was stopped is dropped and a fresh one
 * started in its place, so the next run does not pay for the start. Sandboxes idle for a minute are stopped, all
 * but the last one, so a worker that had a burst of actions gives their memory back.
 */
export class SandboxPool {
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly idleSince = new Map<Sandbox, number>();
  private closed = false;
  /** Sandboxes taken for a run and not given back yet. */
  private lent = 0;
  private readonly reaper: NodeJS.Timeout;

  /** @param maxIdle sandboxes kept warm at most (the worker's NANGO_MAX_CONCURRENT_ACTIONS) */
  constructor(
    private readonly maxIdle: number,
    private readonly logger: Logger,
    idleStopMs = IDLE_STOP_MS,
  ) {
    this.reaper = setInterval(() => this.stopIdle(idleStopMs), Math.max(10, idleStopMs / 4));
    this.reaper.unref();
  }

  /** Sandboxes kept warm right now. */
  get warmCount(): number {
    return this.idle.length;
  }

  /** Sandboxes running a run right now. */
  get busyCount(): number {
    return this.lent;
  }

  /** A sandbox with that cap, warm if one is idle, for one run. */
  take(memoryMb: number): Sandbox {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const sandbox = this.idle[i]!;
      if (sandbox.memoryMb !== memoryMb || !sandbox.usable) continue;
      this.idle.splice(i, 1);
      this.idleSince.delete(sandbox);
      this.lent++;
      return sandbox;
    }
    const started = this.start(memoryMb);
    this.lent++;
    return started;
  }

  /** Takes a sandbox back after a run: kept warm if it is still usable, else replaced. */
  give(sandbox: Sandbox): void {
    this.lent--;
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
    clearInterval(this.reaper);
    this.idle.length = 0;
    await Promise.all([...this.all].map((sandbox) => sandbox.stop()));
  }

  private keep(sandbox: Sandbox): void {
    this.idle.push(sandbox);
    this.idleSince.set(sandbox, Date.now());
    // Beyond the cap, the longest-idle one goes (most often of a cap no longer in use).
    while (this.idle.length > this.maxIdle) void this.idle.shift()?.stop();
  }

  /** The longest-idle sandboxes are at the front: stops those idle past `idleStopMs`, keeping one warm. */
  private stopIdle(idleStopMs: number): void {
    const now = Date.now();
    while (this.idle.length > 1 && now - (this.idleSince.get(this.idle[0]!) ?? now) > idleStopMs) {
      const sandbox = this.idle.shift()!;
      this.idleSince.delete(sandbox);
      void sandbox.stop();
    }
  }

  private start(memoryMb: number): Sandbox {
    const sandbox = new Sandbox(memoryMb, this.logger);
    this.all.add(sandbox);
    void sandbox.exited.then(() => {
      this.all.delete(sandbox);
      this.idleSince.delete(sandbox);
      const at = this.idle.indexOf(sandbox);
      if (at >= 0) this.idle.splice(at, 1); // died while idle (a late throw from its last run)
    });
    return sandbox;
  }
}
