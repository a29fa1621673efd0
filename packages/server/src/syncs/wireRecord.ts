import type { RecordAction, StoredRecord } from '../store/RecordStore';

/** A record on the wire (contract C.3): its payload, its id, and `_nango_metadata` with ISO times. */
export interface WireRecord {
  [field: string]: unknown;
  id: string;
  _nango_metadata: {
    first_seen_at: string;
    last_modified_at: string;
    last_action: RecordAction;
    deleted_at: string | null;
    pruned_at: string | null;
    cursor: string;
  };
}

/** A stored record as GET /records and a deployed sync's listRecords give it. */
export function wireRecord(record: StoredRecord): WireRecord {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...(record.payload ?? {}),
    id: record.id,
    _nango_metadata: {
      first_seen_at: new Date(record.firstSeenAt).toISOString(),
      last_modified_at: new Date(record.lastModifiedAt).toISOString(),
      last_action: record.lastAction,
      deleted_at: iso(record.deletedAt),
      pruned_at: iso(record.prunedAt),
      cursor: record.cursor,
    },
  };
}
