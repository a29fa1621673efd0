import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import standaloneCode from 'ajv/dist/standalone';
import { INTEGRATIONS_VALIDATORS } from '../config/integrationsSchema';
import {
  compileValidators,
  PREBUILT_DIR,
  validatorsFile,
  validatorsFingerprint,
  type ValidatorSpec,
} from '../prebuilt/prebuiltValidators';
import { writePrebuiltData } from '../prebuilt/prebuiltData';
import { BUILTIN_CATALOG_DATA, BUILTIN_PROVIDERS_FILE, parseCatalogText } from '../providers/loadProviderCatalog';
import { PROVIDERS_VALIDATORS } from '../providers/providerSchema';
import { MESSAGE_VALIDATORS } from '../rpc/validateMessage';

/** Every validator set a start needs, built into standalone code. */
const VALIDATOR_SETS: ReadonlyArray<ValidatorSpec<string>> = [MESSAGE_VALIDATORS, INTEGRATIONS_VALIDATORS, PROVIDERS_VALIDATORS];

/**
 * Run by `npm run build` after tsc: writes what every start would otherwise compute into `dist/prebuilt/`: ajv's
 * standalone code of the schemas' validators, and the built-in providers.yaml parsed and shape-checked, as JSON. Each
 * carries the fingerprint of what it was made from, and a start uses it only when that still matches (see
 * prebuilt/): a schema or providers.yaml changed since the build is compiled or parsed as before.
 * @throws Error when the built-in providers.yaml has a problem (the build fails, as a start would)
 */
export function writePrebuilt(dir: string = PREBUILT_DIR): void {
  for (const spec of VALIDATOR_SETS) {
    const { ajv } = compileValidators(spec, { source: true });
    const exports = Object.fromEntries(Object.keys(spec.schemas).map((key) => [key, key]));
    const code = `${standaloneCode(ajv, exports)}\nexports.fingerprint = ${JSON.stringify(validatorsFingerprint(spec))};\n`;
    const file = validatorsFile(spec, dir);
    writeFileSync(`${file}.tmp`, code);
    renameSync(`${file}.tmp`, file);
  }
  const text = readFileSync(BUILTIN_PROVIDERS_FILE, 'utf8');
  const problems: string[] = [];
  const catalog = parseCatalogText(BUILTIN_PROVIDERS_FILE, text, problems);
  if (problems.length > 0) throw new Error(`the built-in providers catalog has problems:\n${problems.join('\n')}`);
  writePrebuiltData(BUILTIN_CATALOG_DATA, text, catalog, dir);
}

if (require.main === module) writePrebuilt();
