import type { Logger } from '../logger';
import { Sandbox } from './Sandbox';

/** A warm sandbox unused this long is stopped (all but one): each holds a few MB even when idle. */
const IDLE_STOP_MS = 60_000;

/**
 * How long a run waits for a busy sandbox before the pool may start another for it: when a sandbox has been held
 * that long by a run that is waiting on the worker (an httpRequest, a sync's save) or computing (COMPUTING_MS of CPU
 * in its thread since the pool first looked). Runs that give their sandbox back within a millisecond or so (no-op and
 * light actions) share one or two instead of each warming its own (a warm sandbox is ~8 MiB, and every extra thread is
 * one more to wake and keep in cache on the same cores). Hold time alone would not tell them apart on a loaded
 * machine, where a thread is often off its core for tens of ms in the middle of a fast run.
 */
export const GROW_AFTER_MS = 25;

/** CPU a held sandbox's thread uses between two looks of the pool (GROW_AFTER_MS apart) to count as computing. */
export const COMPUTING_MS = 2;

/**
 * A sandbox held this long by one run counts as taken whatever the run is doing (waiting on a timer or a socket of
 * its own): runs queued behind it get another sandbox.
 */
export const HELD_LONG_MS = 200;

/**
 * A pool that has not needed to grow for this long gives one sandbox back (the next to come back from a run, or the
 * longest idle), down to one, and again after as long: under a steady load of fast runs, a sandbox started for a
 * passing slow one, or for a thread that was off its core too long, does not stay for good.
 */
export const SHRINK_AFTER_MS = 30_000;

/** A run waiting for a sandbox of its cap. */
interface Waiter {
  memoryMb: number;
  since: number;
  resolve: (sandbox: Sandbox) => void;
}

/**
 * Sandboxes kept warm between runs, by memory cap (a thread's cap is fixed when it starts), sized to the load. A run
 * takes one to itself (`acquire`) and gives it back when it ended cleanly; a sandbox that died or was stopped is
 * dropped and a fresh one started in its place, so the next run does not pay for the start. The pool grows on
 * demand: a run that finds none free waits for one to come back, and only when runs have waited GROW_AFTER_MS behind
 * sandboxes held by slow runs does the pool start more (see grow), up to the concurrency limit. The most recently used sandbox is taken first, so one that the load no longer needs stays
 * idle, and sandboxes idle for a minute are stopped, all but the last one: a worker gives back the memory of a burst.
 */
export class SandboxPool {
  /** Idle sandboxes, the longest idle first: runs take from the end. */
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly idleSince = new Map<Sandbox, number>();
  private readonly waiting: Waiter[] = [];
  private growth: NodeJS.Timeout | undefined;
  /** When the pool last grew or shrank past what the load needed (performance.now()). */
  private lastResize = performance.now();
  /** A sandbox to stop instead of keeping, the next one given back (see SHRINK_AFTER_MS). */
  private retireOne = false;
  /** The CPU time of held sandboxes' threads when the pool first looked during their current hold. */
  private readonly cpuSeen = new Map<Sandbox, { since: number; cpuNs: number }>();
  private closed = false;
  /** Sandboxes taken for a run and not given back yet, with when they were taken (performance.now()). */
  private readonly lentAt = new Map<Sandbox, number>();
  private readonly reaper: NodeJS.Timeout;

  /** @param maxIdle sandboxes at most, busy and warm (the worker's NANGO_MAX_CONCURRENT_ACTIONS) */
  constructor(
    private readonly maxIdle: number,
    private readonly logger: Logger,
    idleStopMs = IDLE_STOP_MS,
    private readonly growAfterMs = GROW_AFTER_MS,
  ) {
    this.reaper = setInterval(
      () => {
        this.stopIdle(idleStopMs);
        this.shrink();
      },
      Math.max(10, Math.min(idleStopMs, SHRINK_AFTER_MS) / 4),
    );
    this.reaper.unref();
  }

  /** Sandboxes kept warm right now. */
  get warmCount(): number {
    return this.idle.length;
  }

  /** Sandboxes running a run right now. */
  get busyCount(): number {
    return this.lentAt.size;
  }

  /** A sandbox with that cap for one run: a warm one if one is idle, else a fresh one at once. */
  take(memoryMb: number): Sandbox {
    const warm = this.takeIdle(memoryMb);
    if (warm) return warm;
    return this.lend(this.start(memoryMb));
  }

  /**
   * A sandbox with that cap for one run, sized to the load: a warm one if one is idle; a fresh one if the pool has
   * none of that cap; else the first to come back, or a fresh one once the run has waited GROW_AFTER_MS (see the class).
   */
  acquire(memoryMb: number): Promise<Sandbox> {
    const warm = this.takeIdle(memoryMb);
    if (warm) return Promise.resolve(warm);
    if (this.closed || !this.hasLive(memoryMb)) return Promise.resolve(this.take(memoryMb));
    return new Promise((resolve) => {
      this.waiting.push({ memoryMb, since: performance.now(), resolve });
      this.armGrowth();
    });
  }

  /** Takes a sandbox back after a run: handed to a run waiting for one, or kept warm; replaced if not usable. */
  give(sandbox: Sandbox): void {
    this.lentAt.delete(sandbox);
    this.cpuSeen.delete(sandbox);
    if (this.closed) {
      void sandbox.stop();
      return;
    }
    if (!sandbox.usable) {
      void sandbox.stop();
      this.logger.info({ memoryMb: sandbox.memoryMb }, 'action sandbox stopped; starting a fresh one');
      this.handOver(this.start(sandbox.memoryMb));
      return;
    }
    if (this.retireOne && this.hasOtherLive(sandbox)) {
      this.retireOne = false;
      void sandbox.stop();
      return;
    }
    this.handOver(sandbox);
  }

  /** Stops every sandbox, busy ones included, and resolves once all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    clearTimeout(this.growth);
    // Runs still waiting get a sandbox that is already stopping: their run fails as any run in a stopped sandbox.
    for (const waiter of this.waiting.splice(0)) waiter.resolve(this.take(waiter.memoryMb));
    this.idle.length = 0;
    await Promise.all([...this.all].map((sandbox) => sandbox.stop()));
  }

  /** To the oldest run waiting for a sandbox of its cap, or kept warm. */
  private handOver(sandbox: Sandbox): void {
    const at = this.waiting.findIndex((waiter) => waiter.memoryMb === sandbox.memoryMb);
    if (at < 0) return this.keep(sandbox);
    const [waiter] = this.waiting.splice(at, 1);
    waiter!.resolve(this.lend(sandbox));
  }

  private lend(sandbox: Sandbox): Sandbox {
    this.lentAt.set(sandbox, performance.now());
    return sandbox;
  }

  private takeIdle(memoryMb: number): Sandbox | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const sandbox = this.idle[i]!;
      if (sandbox.memoryMb !== memoryMb || !sandbox.usable) continue;
      this.idle.splice(i, 1);
      this.idleSince.delete(sandbox);
      return this.lend(sandbox);
    }
    return undefined;
  }

  /** Whether another usable sandbox of its cap is there to serve the runs waiting for one. */
  private hasOtherLive(sandbox: Sandbox): boolean {
    for (const other of this.all) if (other !== sandbox && other.memoryMb === sandbox.memoryMb && other.usable) return true;
    return false;
  }

  /** One sandbox fewer when the pool has not needed to grow for SHRINK_AFTER_MS (see there). */
  private shrink(): void {
    if (this.closed || this.all.size <= 1 || performance.now() - this.lastResize < SHRINK_AFTER_MS) return;
    this.lastResize = performance.now();
    if (this.idle.length > 1) {
      const sandbox = this.idle.shift()!;
      this.idleSince.delete(sandbox);
      void sandbox.stop();
    } else this.retireOne = true;
  }

  private hasLive(memoryMb: number): boolean {
    for (const sandbox of this.all) if (sandbox.memoryMb === memoryMb && sandbox.usable) return true;
    return false;
  }

  private armGrowth(): void {
    this.growth ??= setTimeout(() => this.grow(), this.growAfterMs);
  }

  /**
   * Starts sandboxes for the runs that have waited GROW_AFTER_MS, as many as there are sandboxes of their cap `taken`
   * by a slow run (so the pool at most doubles per step), and none while one is still booting (the runs queued
   * behind a boot have not yet seen what it brings). Time counts from the latest boot, for the same reason.
   */
  private grow(): void {
    this.growth = undefined;
    if (this.closed || this.waiting.length === 0) return;
    let lastBoot = 0;
    for (const sandbox of this.all) {
      if (!sandbox.usable) continue;
      if (sandbox.bootedAt === undefined) return this.armGrowth();
      lastBoot = Math.max(lastBoot, sandbox.bootedAt);
    }
    const now = performance.now();
    const held = new Map<number, number>();
    for (const [sandbox, since] of this.lentAt) {
      if (this.taken(sandbox, since, now)) held.set(sandbox.memoryMb, (held.get(sandbox.memoryMb) ?? 0) + 1);
    }
    for (let i = 0; i < this.waiting.length && this.lentAt.size < this.maxIdle;) {
      const waiter = this.waiting[i]!;
      const room = held.get(waiter.memoryMb) ?? 0;
      if (room === 0 || now - Math.max(waiter.since, lastBoot) < this.growAfterMs) {
        i++;
        continue;
      }
      held.set(waiter.memoryMb, room - 1);
      this.waiting.splice(i, 1);
      // Past the limit only through idle sandboxes of other caps: the longest idle of them makes room.
      if (this.lentAt.size + this.idle.length >= this.maxIdle) void this.idle.shift()?.stop();
      this.lastResize = now;
      this.retireOne = false;
      waiter.resolve(this.take(waiter.memoryMb));
    }
    if (this.waiting.length > 0) this.armGrowth();
  }

  /** Whether a run holding `sandbox` since `since` keeps it for long: waiting on the worker, computing, or just long. */
  private taken(sandbox: Sandbox, since: number, now: number): boolean {
    const heldFor = now - since;
    if (heldFor < this.growAfterMs) return false;
    if (sandbox.waitsOnWorker || heldFor >= HELD_LONG_MS) return true;
    const cpuNs = sandbox.cpuNs();
    if (cpuNs === undefined) return false;
    const seen = this.cpuSeen.get(sandbox);
    if (seen?.since !== since) {
      this.cpuSeen.set(sandbox, { since, cpuNs });
      return false;
    }
    return cpuNs - seen.cpuNs >= COMPUTING_MS * 1e6;
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
      this.cpuSeen.delete(sandbox);
      const at = this.idle.indexOf(sandbox);
      if (at >= 0) this.idle.splice(at, 1); // died while idle (a late throw from its last run)
    });
    return sandbox;
  }
}
