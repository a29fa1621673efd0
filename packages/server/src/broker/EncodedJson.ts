/**
 * A value already encoded as JSON (`undefined` for no value). The reply encoder splices it in as it is, so an
 * action's result is serialised exactly once.
 */
export class EncodedJson {
  constructor(readonly json: string | undefined) {}
}
