import type { Registry } from './promClient';
import { CellCounter } from './CellCounter';
import { CellHistogram } from './CellHistogram';
import { REQUEST_BUCKETS } from './HttpMetrics';

/** The type label of a request that was not a valid message (not JSON, no known type). */
export const INVALID_MESSAGE = 'invalid';

/** RabbitMQ requests by message type and reply status (`success` or the error code), with durations. */
export class RpcMetrics {
  private readonly requests: CellCounter;
  private readonly durations: CellHistogram;

  constructor(registry: Registry) {
    this.requests = new CellCounter(
      registry,
      'nango_rpc_requests_total',
      'RabbitMQ requests answered, by message type and reply status (success, or the error code).',
      ['type', 'status'],
    );
    this.durations = new CellHistogram(
      registry,
      'nango_rpc_request_duration_seconds',
      'How long the worker took to handle a RabbitMQ request, by message type.',
      ['type'],
      REQUEST_BUCKETS,
    );
  }

  /**
   * One handled request.
   * @param type the message type, or INVALID_MESSAGE; one of a fixed set (validated before it is counted)
   * @param status `success`, or the reply's error code
   * @param startedAt `performance.now()` when its handling started
   */
  observe(type: string, status: string, startedAt: number): void {
    this.requests.cell(type, status).value++;
    this.durations.cell(type).observe((performance.now() - startedAt) / 1000);
  }
}
