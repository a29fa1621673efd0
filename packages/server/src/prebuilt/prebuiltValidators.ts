import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';

/**
 * Where `npm run build` writes what start-up would otherwise compute (see writePrebuilt.ts): beside this module's
 * build, `packages/server/dist/prebuilt/`. From `src/` (tests) there is none, and everything is computed.
 */
export const PREBUILT_DIR = __dirname;

/**
 * A set of JSON Schemas compiled together with the same ajv options. Its validators are built into standalone code by
 * `npm run build`, so a start loads plain functions instead of loading ajv and compiling (~80 ms per set).
 */
export interface ValidatorSpec<K extends string> {
  /** The file's name in PREBUILT_DIR: `<name>.validators.js`. */
  readonly name: string;
  readonly schemas: Readonly<Record<K, object>>;
  readonly options: Readonly<Options>;
  /** ajv-formats formats the schemas use. */
  readonly formats?: readonly string[];
}

/** The file of a set's standalone validators. */
export function validatorsFile(spec: ValidatorSpec<string>, dir: string): string {
  return join(dir, `${spec.name}.validators.js`);
}

/**
 * What a set's standalone code was built from: the schemas, the options and ajv's version. A built file with another
 * fingerprint is stale (a schema changed since the build) and is not used.
 */
export function validatorsFingerprint(spec: ValidatorSpec<string>): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const source = JSON.stringify([ajvVersion, spec.options, spec.formats ?? [], spec.schemas]);
  return createHash('sha256').update(source).digest('hex');
}

/**
 * The validators of a set: the built ones when they are there and match the schemas, else compiled now with ajv.
 * @param dir where built validators are looked for (tests point it at their own folder)
 */
export function loadValidators<K extends string>(
  spec: ValidatorSpec<K>,
  dir: string = PREBUILT_DIR,
): Record<K, ValidateFunction> {
  const file = validatorsFile(spec, dir);
  if (existsSync(file)) {
    const built = require(file) as Record<K, ValidateFunction> & { fingerprint?: string };
    if (built.fingerprint === validatorsFingerprint(spec)) return built;
  }
  return compileValidators(spec, { source: false }).validators;
}

/**
 * Compiles a set with ajv; with `source`, keeps each validator's source for ajv's standalone code. ajv is loaded here,
 * on first use, so that a start with built validators never loads it for them.
 */
export function compileValidators<K extends string>(
  spec: ValidatorSpec<K>,
  { source }: { source: boolean },
): { validators: Record<K, ValidateFunction>; ajv: import('ajv').Ajv } {
  const { _, Ajv } = require('ajv') as typeof import('ajv');
  // ajv-formats names its formats' module for standalone code with its own copy of ajv's code builder, which this
  // ajv does not recognise as code (it would write it out as JSON): named here with this ajv's.
  const formatsCode = _`require("ajv-formats/dist/formats").fullFormats`;
  const ajv = new Ajv({ ...spec.options, ...(source && { code: { source: true, formats: formatsCode } }) });
  if (spec.formats) {
    const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
    addFormats(ajv, [...spec.formats] as Parameters<typeof addFormats>[1] & string[]);
  }
  // Each schema under its key, so that ajv's standalone code can export it by that name (see writePrebuilt).
  for (const [key, schema] of Object.entries<object>(spec.schemas)) ajv.addSchema(schema, key);
  const validators = Object.fromEntries(
    Object.keys(spec.schemas).map((key) => [key, ajv.getSchema(key) as ValidateFunction]),
  ) as Record<K, ValidateFunction>;
  return { validators, ajv };
}
