import { CONNECTION_ID_SCHEMA } from '@nangohq/protocol';

/** The headers that name the Connection of the records routes. */
export const RECORD_HEADERS = {
  type: 'object',
  required: ['connection-id', 'provider-config-key'],
  properties: {
    'connection-id': CONNECTION_ID_SCHEMA,
    'provider-config-key': { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

export interface RecordHeaders {
  'connection-id': string;
  'provider-config-key': string;
}
