import { EventEmitter } from 'node:events';

/**
 * Aborts a proxy call when its caller goes away, without an AbortController per call: making one costs node 20
 * some 15 µs of CPU (more than the rest of the route's own work together, bench/proxy-profile.mjs), and nearly
 * every call ends without it. undici takes an EventEmitter as a request's signal (it reads `aborted` and `reason`
 * and listens for `abort`); what takes only an AbortSignal (a retry's or a rate limit's wait) asks `signal`, made
 * on first use and aborted with the same reason.
 */
export class CallerGone extends EventEmitter {
  aborted = false;
  reason: Error | undefined;
  private controller: AbortController | undefined;

  /** An AbortSignal that aborts with this: made on the first ask, already aborted when this is. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the call with `reason` (once; later calls are ignored). */
  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.emit('abort');
  }
}
