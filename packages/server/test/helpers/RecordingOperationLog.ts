import type {
  MessageLevel,
  OperationEnd,
  OperationError,
  OperationFields,
  OperationKind,
  OperationMessage,
  OperationRecord,
  OperationStart,
} from '../../src/operationLog/Operation';
import type { OperationHandle, OperationLog } from '../../src/operationLog/OperationLog';

/** An operation as the recorder keeps it: the record and its messages, in order. */
export interface RecordedOperation extends OperationRecord {
  readonly messages: readonly OperationMessage[];
}

/**
 * An OperationLog for tests: keeps every operation and message in memory, in order, as the store-backed log would
 * record them (calls after `end` ignored, ids sortable). Tests drive the real flows and read what was recorded.
 */
export class RecordingOperationLog implements OperationLog {
  private readonly records = new Map<string, OperationRecord>();
  private readonly messagesOf = new Map<string, OperationMessage[]>();
  private readonly listeners = new Set<(operation: OperationRecord) => void>();
  private sequence = 0;

  start(start: OperationStart): OperationHandle {
    const startedAt = start.startedAt ?? Date.now();
    const id = `${startedAt.toString(36).padStart(9, '0')}-${(++this.sequence).toString(36).padStart(6, '0')}`;
    this.records.set(id, {
      id,
      kind: start.kind,
      name: start.name,
      integration: start.integration ?? null,
      connectionId: start.connectionId ?? null,
      endUserId: start.endUserId ?? null,
      status: 'running',
      startedAt,
      endedAt: null,
      durationMs: null,
      error: null,
      fields: { ...start.fields },
      traceId: start.traceId ?? null,
      parentId: start.parentId ?? null,
    });
    this.messagesOf.set(id, []);
    const running = () => this.records.get(id)?.status === 'running';
    return {
      id,
      message: (level: MessageLevel, text: string, fields?: OperationFields) => {
        if (running()) this.messagesOf.get(id)?.push({ operationId: id, at: Date.now(), level, text, ...(fields && { fields }) });
      },
      set: (fields: OperationFields) => {
        const record = this.records.get(id);
        if (record && running()) this.records.set(id, { ...record, fields: { ...record.fields, ...fields } });
      },
      end: (status: OperationEnd, error?: OperationError) => {
        const record = this.records.get(id);
        if (!record || !running()) return;
        const endedAt = Date.now();
        const ended = { ...record, status, endedAt, durationMs: endedAt - record.startedAt, error: error ?? null };
        this.records.set(id, ended);
        for (const listener of this.listeners) listener(ended);
      },
    };
  }

  onEnd(listener: (operation: OperationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every operation so far, in the order they started, with their messages. */
  all(): RecordedOperation[] {
    return [...this.records.values()].map((record) => ({ ...record, messages: [...(this.messagesOf.get(record.id) ?? [])] }));
  }

  /** The operations of one kind (and, optionally, matching `where`). */
  ofKind(kind: OperationKind, where: (operation: RecordedOperation) => boolean = () => true): RecordedOperation[] {
    return this.all().filter((operation) => operation.kind === kind && where(operation));
  }

  /** One operation by id; throws when there is none. */
  get(id: string): RecordedOperation {
    const found = this.all().find((operation) => operation.id === id);
    if (!found)
      throw new Error(
        `no operation ${id}; recorded: ${this.all()
          .map((op) => `${op.kind}/${op.id}`)
          .join(', ')}`,
      );
    return found;
  }

  /**
   * Waits until an ended operation of `kind` matches `where`, and returns the last such one. Operations end after
   * the reply at times (webhooks, syncs): this is how tests wait for them.
   */
  async ended(
    kind: OperationKind,
    where: (operation: RecordedOperation) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<RecordedOperation> {
    const match = () => this.ofKind(kind, (operation) => operation.status !== 'running' && where(operation)).at(-1);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = match();
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.all().map((op) => `${op.kind} ${op.name} ${op.status}`);
        throw new Error(`no ended ${kind} operation matched within ${timeoutMs} ms; recorded: ${seen.join(' | ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Everything recorded, as one text: what the secret search reads. */
  dump(): string {
    return JSON.stringify(this.all());
  }
}
