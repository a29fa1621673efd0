import { WorkerError } from '../errors';
import type { SyncExecutor } from './SyncExecutor';

/** The executor until the one that runs `<sync>.sync.ts` files is wired in: every run fails, saying so. */
export const UNWIRED_SYNC_EXECUTOR: SyncExecutor = {
  run: () => Promise.reject(new WorkerError('internal_error', 'this build runs no sync scripts: no SyncExecutor is wired in')),
};
