/**
 * The reply header naming the operation (in the operations log) a call made: action triggers and proxy calls carry
 * it, so the caller can look the run up (`GET /logs/operations/<id>`).
 */
export const OPERATION_ID_HEADER = 'x-nango-operation-id';
