import { Counter, type Registry } from './promClient';
import type { OperationRecord } from '../operationLog/Operation';
import type { OperationLog } from '../operationLog/OperationLog';
import { CellCounter } from './CellCounter';
import { CellHistogram } from './CellHistogram';
import { OVERFLOW_VALUE } from './LabelTable';

/** Upper bounds of operation durations, in seconds: a proxy call in milliseconds to a sync run in minutes. */
export const OPERATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** What an error code looks like; anything else (a bug, a code built from input) is labelled OVERFLOW_VALUE. */
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Metrics of the operations log: every operation that ends, by kind, status and integration, with its duration;
 * token refresh failures by integration and reason (the error code: `connection_needs_reauthorization` when the
 * provider rejected the refresh token, `token_refresh_failed` for the others); and the entries the log dropped.
 */
export class OperationMetrics {
  private readonly ended: CellCounter;
  private readonly durations: CellHistogram;
  private readonly refreshFailures: CellCounter;
  private readonly unsubscribe: () => void;

  constructor(registry: Registry, log: OperationLog) {
    this.ended = new CellCounter(registry, 'nango_operations_total', 'Operations ended, by kind, status and integration.', [
      'kind',
      'status',
      'integration',
    ]);
    this.durations = new CellHistogram(
      registry,
      'nango_operation_duration_seconds',
      'How long operations took, from start to end, by kind and integration.',
      ['kind', 'integration'],
      OPERATION_BUCKETS,
    );
    this.refreshFailures = new CellCounter(
      registry,
      'nango_token_refresh_failures_total',
      'Token refreshes that failed, by integration and reason (the error code).',
      ['integration', 'reason'],
    );
    let reported = 0;
    const dropped = new Counter({
      name: 'nango_operation_log_dropped_total',
      help: 'Operations log entries dropped because its write buffer was full.',
      registers: [registry],
      collect: () => {
        const now = log.droppedCount ?? 0;
        if (now > reported) dropped.inc(now - reported);
        reported = now;
      },
    });
    this.unsubscribe = log.onEnd((operation) => this.count(operation));
  }

  /** Counts one ended operation (the onEnd listener; public for tests). */
  count(operation: OperationRecord): void {
    const integration = operation.integration ?? '';
    this.ended.cell(operation.kind, operation.status, integration).value++;
    if (operation.durationMs !== null) this.durations.cell(operation.kind, integration).observe(operation.durationMs / 1000);
    if (operation.kind === 'refresh' && operation.status !== 'success' && operation.status !== 'running') {
      const code = operation.error?.code ?? operation.status;
      this.refreshFailures.cell(integration, ERROR_CODE.test(code) ? code : OVERFLOW_VALUE).value++;
    }
  }

  /** Stops listening to the log. */
  close(): void {
    this.unsubscribe();
  }
}
