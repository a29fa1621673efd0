import { randomUUID } from 'node:crypto';
import type { OperationRecord, OperationStart } from '../../src/operationLog/Operation';
import type { OperationHandle, OperationLog } from '../../src/operationLog/OperationLog';

/**
 * An operations log that keeps what ended in memory and calls its onEnd listeners as the real one does: the test
 * double the metrics are driven through until the store-backed log is wired. `droppedCount` is set by the test.
 */
export class RecordingLog implements OperationLog {
  readonly ended: OperationRecord[] = [];
  droppedCount = 0;
  private readonly listeners = new Set<(operation: OperationRecord) => void>();

  start(start: OperationStart): OperationHandle {
    const id = randomUUID();
    const startedAt = start.startedAt ?? Date.now();
    let fields = { ...start.fields };
    let ended = false;
    return {
      id,
      message: () => undefined,
      set: (more) => {
        fields = { ...fields, ...more };
      },
      end: (status, error) => {
        if (ended) return;
        ended = true;
        const endedAt = Date.now();
        const record: OperationRecord = {
          id,
          kind: start.kind,
          name: start.name,
          integration: start.integration ?? null,
          connectionId: start.connectionId ?? null,
          endUserId: start.endUserId ?? null,
          status,
          startedAt,
          endedAt,
          durationMs: endedAt - startedAt,
          error: error ?? null,
          fields,
          traceId: start.traceId ?? null,
          parentId: start.parentId ?? null,
        };
        this.ended.push(record);
        for (const listener of this.listeners) listener(record);
      },
    };
  }

  onEnd(listener: (operation: OperationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listeners still subscribed (a worker that stopped must have unsubscribed). */
  get listenerCount(): number {
    return this.listeners.size;
  }
}
