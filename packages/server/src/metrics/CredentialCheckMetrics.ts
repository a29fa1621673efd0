import type { Registry } from './promClient';
import type { CheckCounter, CheckKind, CheckOutcome } from '../refresh/BackgroundRefreshOptions';
import { CellCounter } from './CellCounter';

/**
 * The background check of credentials (refresh/BackgroundRefresh.ts): refreshes and verifications it made, by check
 * (`refresh`, `verification`) and outcome (`success`, `needs_reauthorization`, `transient`, `not_possible`,
 * `cancelled`, `error`). A rise of `needs_reauthorization` is users to ask back; of `transient`, a provider in trouble.
 */
export class CredentialCheckMetrics implements CheckCounter {
  private readonly checks: CellCounter;

  constructor(registry: Registry) {
    this.checks = new CellCounter(
      registry,
      'nango_background_credential_checks_total',
      'Refreshes and verifications the background check of credentials made, by check and outcome.',
      ['check', 'outcome'],
    );
  }

  count(check: CheckKind, outcome: CheckOutcome): void {
    this.checks.cell(check, outcome).value++;
  }
}
