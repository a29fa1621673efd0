import type { OperationStart } from '../operationLog/Operation';
import type { OperationHandle, OperationLog } from '../operationLog/OperationLog';
import { currentTraceId } from './currentTraceId';

/**
 * `log` with the trace id of the active span put on every operation that starts without one, so that each place
 * that records an operation need not remember to: an action's operation, started in the worker's `process` span,
 * carries the trace of the call that asked for it. Costs one look at the active context per operation.
 */
export function withTraceIds(log: OperationLog): OperationLog {
  return {
    start(start: OperationStart): OperationHandle {
      if (start.traceId !== undefined) return log.start(start);
      const traceId = currentTraceId();
      return log.start(traceId === undefined ? start : { ...start, traceId });
    },
    onEnd: (listener) => log.onEnd(listener),
    get droppedCount() {
      return log.droppedCount;
    },
  };
}
