import type { StoredMessage } from '../store/OperationStore';
import { capFields, capName, capText, type EntryLimits } from './entryLimits';
import type {
  MessageLevel,
  OperationEnd,
  OperationError,
  OperationFields,
  OperationRecord,
  OperationStart,
  OperationStatus,
} from './Operation';
import type { OperationHandle } from './OperationLog';

/**
 * Takes secrets out of what an operation keeps: the shape of the action logs' redactor (actions/ActionLogRedactor),
 * which the worker passes in (this room may not import it): secret-named fields replaced at any depth, and the
 * secrets' values scrubbed from every text, as they are or encoded.
 */
export interface Redactor {
  message(text: string): string;
  fields(fields: unknown): Record<string, unknown>;
}

/** What an operation tells its log. */
export interface OperationHooks {
  readonly redactor: (secrets: unknown) => Redactor;
  /** The redactor of operations without secrets (secret-named fields only), made once for them all. */
  readonly plainRedactor: Redactor;
  readonly now: () => number;
  /** Its fields or status changed: the next batch writes it. */
  changed(state: OperationState): void;
  /** A message to keep, as given (redacted and capped when its batch is made). */
  message(state: OperationState, level: MessageLevel, text: string, fields: OperationFields | undefined): void;
  /** It ended (once). */
  ended(state: OperationState): void;
}

/**
 * One operation of a StoredOperationLog while it runs: the handle its caller holds, and the state its log writes.
 * Calls after `end` are ignored; none throws. Redaction happens when the operation is read (at its end, and when a
 * batch is made), once per operation for the redactor itself.
 */
export class OperationState implements OperationHandle {
  private status: OperationStatus = 'running';
  private endedAt: number | null = null;
  private error: OperationError | null = null;
  private fields: Record<string, unknown>;
  private redactorOf: Redactor | undefined;
  private messageCount = 0;
  /** The final record, made once at the end. */
  private final: OperationRecord | undefined;

  constructor(
    readonly id: string,
    private readonly start: OperationStart,
    readonly startedAt: number,
    /** False when the log had no room for it: it is not written, but its end still reaches onEnd listeners. */
    readonly recorded: boolean,
    private readonly limits: EntryLimits,
    private readonly hooks: OperationHooks,
  ) {
    this.fields = { ...start.fields };
  }

  message(level: MessageLevel, text: string, fields?: OperationFields): void {
    if (this.status !== 'running') return;
    this.messageCount++;
    if (this.messageCount > this.limits.messages) return; // counted; said once at the end
    this.hooks.message(this, level, String(text), fields);
  }

  set(fields: OperationFields): void {
    if (this.status !== 'running') return;
    this.fields = { ...this.fields, ...fields };
    this.hooks.changed(this);
  }

  end(status: OperationEnd, error?: OperationError): void {
    if (this.status !== 'running') return;
    const over = this.messageCount - this.limits.messages;
    if (over > 0) {
      this.hooks.message(
        this,
        'warn',
        `${over} more messages were not kept (at most ${this.limits.messages} per operation)`,
        undefined,
      );
    }
    this.status = status;
    this.endedAt = Math.max(this.hooks.now(), this.startedAt);
    if (error !== undefined) this.error = { code: String(error.code), message: String(error.message) };
    this.hooks.ended(this);
  }

  /** The operation as it now is, redacted and capped. */
  record(): OperationRecord {
    if (this.final) return this.final;
    const record: OperationRecord = {
      id: this.id,
      kind: this.start.kind,
      name: capName(String(this.start.name)),
      integration: this.start.integration ?? null,
      connectionId: this.start.connectionId ?? null,
      endUserId: this.start.endUserId ?? null,
      status: this.status,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      durationMs: this.endedAt === null ? null : this.endedAt - this.startedAt,
      error:
        this.error === null
          ? null
          : {
              code: capName(this.error.code),
              message: capText(this.redactor().message(this.error.message), this.limits.textChars),
            },
      fields: isEmpty(this.fields) ? {} : capFields(this.redactor().fields(this.fields), this.limits),
      traceId: this.start.traceId ?? null,
      parentId: this.start.parentId ?? null,
    };
    if (this.status !== 'running') this.final = record;
    return record;
  }

  /** A message as kept: redacted and capped. */
  keptMessage(level: MessageLevel, text: string, fields: OperationFields | undefined, at: number): StoredMessage {
    const redactor = this.redactor();
    const kept = fields === undefined ? undefined : capFields(redactor.fields(fields), this.limits);
    return {
      operationId: this.id,
      at,
      level,
      text: capText(redactor.message(text), this.limits.textChars),
      ...(kept !== undefined && Object.keys(kept).length > 0 && { fields: kept }),
    };
  }

  /** Made when first needed: building one from secrets costs tens of microseconds, and most operations need none. */
  private redactor(): Redactor {
    this.redactorOf ??= this.start.secrets === undefined ? this.hooks.plainRedactor : this.hooks.redactor(this.start.secrets);
    return this.redactorOf;
  }
}

function isEmpty(fields: Readonly<Record<string, unknown>>): boolean {
  for (const _key in fields) return false;
  return true;
}
