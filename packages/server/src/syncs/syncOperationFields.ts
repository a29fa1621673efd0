import type { OperationFields } from '../operationLog/Operation';
import { boundedJson, cut } from '../operationLog/operationFields';
import type { ModelResult } from '../store/SyncScheduleStore';

/** Most models whose own counts a sync operation shows (`<model>.added`, …); the totals cover every model. */
const MODELS_SHOWN = 10;
/** Longest checkpoint summary a sync operation keeps: checkpoints are the script's own data and may be large. */
export const CHECKPOINT_SUMMARY_CHARS = 256;

/**
 * A sync run's counts as operation fields: the totals (`added`, `updated`, `deleted`) and each model's, for up to
 * MODELS_SHOWN models.
 */
export function countFields(models: Readonly<Record<string, ModelResult>>): OperationFields {
  const fields: Record<string, number> = { added: 0, updated: 0, deleted: 0 };
  let shown = 0;
  for (const [model, count] of Object.entries(models)) {
    fields['added'] = (fields['added'] ?? 0) + count.added;
    fields['updated'] = (fields['updated'] ?? 0) + count.updated;
    fields['deleted'] = (fields['deleted'] ?? 0) + count.deleted;
    if (shown++ >= MODELS_SHOWN) continue;
    fields[`${model}.added`] = count.added;
    fields[`${model}.updated`] = count.updated;
    fields[`${model}.deleted`] = count.deleted;
  }
  return fields;
}

/**
 * The checkpoint a run reached, as a bounded field: its JSON cut at CHECKPOINT_SUMMARY_CHARS, passed through `scrub`
 * (the Connection's secrets taken out) before it is cut, so that half a secret is never kept; null for none.
 */
export function checkpointField(checkpoint: Record<string, unknown> | null, scrub: (text: string) => string): OperationFields {
  if (checkpoint === null) return { checkpoint: null };
  return { checkpoint: cut(scrub(boundedJson(checkpoint, Number.MAX_SAFE_INTEGER)), CHECKPOINT_SUMMARY_CHARS) };
}
