/**
 * A value already encoded as JSON (`undefined` for no value). The reply encoder splices it in as it is, so an
 * action's result is serialised exactly once.
 */
export class EncodedJson {
  constructor(
    readonly json: string | undefined,
    /** The operation (in the operations log) that produced the value, when one was recorded; the reply carries it. */
    readonly operationId?: string,
  ) {}
}
