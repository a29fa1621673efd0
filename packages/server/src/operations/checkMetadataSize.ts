import { WorkerError } from '../errors';

/**
 * Refuses metadata (a Connection's additionalConfig) whose JSON is larger than `limitBytes` (NANGO_MAX_METADATA_BYTES).
 * Called before anything is stored, so a refused write changes nothing. The message names `where` (the field, and
 * the Connection when there are several), the size and the limit; never a value.
 * @throws WorkerError `metadata_too_large`
 */
export function checkMetadataSize(metadata: Record<string, unknown>, limitBytes: number, where: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes <= limitBytes) return;
  throw new WorkerError(
    'metadata_too_large',
    `${where} is ${bytes} bytes as JSON, over the limit of ${limitBytes} bytes (NANGO_MAX_METADATA_BYTES): nothing was stored. ` +
      'Keep large data in records or in your own store, and only what identifies it in the metadata.',
  );
}
