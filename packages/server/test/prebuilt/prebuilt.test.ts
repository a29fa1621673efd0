import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MESSAGE_TYPES } from '@nangohq/protocol';
import { writePrebuilt } from '../../src/commands/writePrebuilt';
import { INTEGRATIONS_VALIDATORS } from '../../src/config/integrationsSchema';
import { readPrebuiltData } from '../../src/prebuilt/prebuiltData';
import { compileValidators, loadValidators, validatorsFile, type ValidatorSpec } from '../../src/prebuilt/prebuiltValidators';
import { BUILTIN_CATALOG_DATA, BUILTIN_PROVIDERS_FILE, parseCatalogText } from '../../src/providers/loadProviderCatalog';
import { PROVIDERS_VALIDATORS } from '../../src/providers/providerSchema';
import { MESSAGE_VALIDATORS } from '../../src/rpc/validateMessage';

// What `npm run build` writes into dist/prebuilt/, written here into a folder of the test's own (inside the package:
// the standalone code requires ajv's runtime from the package's node_modules).
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(__dirname, '.prebuilt-'));
  writePrebuilt(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = join(__dirname, '..', '..', '..', '..');
const integrationsDoc = parse(readFileSync(join(ROOT, 'integrations.yaml'), 'utf8')) as {
  integrations: Record<string, Record<string, unknown>>;
};
const [firstName, first] = Object.entries(integrationsDoc.integrations)[0]!;

/** Documents each set's built validators must judge exactly as ajv compiling the schemas does, errors included. */
const SAMPLES: Array<[ValidatorSpec<string>, unknown[]]> = [
  [
    MESSAGE_VALIDATORS,
    [
      {},
      null,
      { type: 'registerConnection', integration: 'slack', userId: 'u1', credentials: { token: 't' } },
      { type: 'triggerAction' },
      { type: 'triggerAction', integration: 5, extra: true },
      { connectionId: '' },
    ],
  ],
  [
    INTEGRATIONS_VALIDATORS,
    [
      integrationsDoc,
      parse(readFileSync(join(ROOT, 'bench', 'integrations.yaml'), 'utf8')),
      { integrations: { [firstName]: { ...first, oauth: { token_url: 'not a url' } } } }, // the uri format
      { integrations: { 'bad name!': { auth_mode: 'NOPE', http_timeout_ms: 0, surprise: 1 } } },
      [],
    ],
  ],
  [
    PROVIDERS_VALIDATORS,
    [parse(readFileSync(BUILTIN_PROVIDERS_FILE, 'utf8')), { 'a b': { auth_mode: 7 } }, { x: { proxy: 'no' } }, 'text'],
  ],
];

describe('prebuilt validators (npm run build)', () => {
  it.each(SAMPLES.map(([spec, docs]) => [spec.name, spec, docs] as const))(
    'the built %s validators are used and judge as compiled ones do',
    (_name, spec, docs) => {
      const built = loadValidators(spec, dir);
      const compiled = compileValidators(spec, { source: false }).validators;
      const keys = Object.keys(spec.schemas);
      expect(keys.length).toBeGreaterThan(0);
      if (spec === MESSAGE_VALIDATORS) expect(keys.sort()).toEqual([...MESSAGE_TYPES].sort());
      for (const key of keys) {
        // The built module's function, not one compiled now: it was loaded from the file.
        expect(built[key]).toBe((require(validatorsFile(spec, dir)) as Record<string, unknown>)[key]);
        for (const doc of docs) {
          const ok = built[key]!(doc);
          expect(ok).toBe(compiled[key]!(doc));
          expect(built[key]!.errors ?? null).toEqual(compiled[key]!.errors ?? null);
        }
      }
      // The samples exercise both verdicts.
      expect(docs.map((doc) => keys.some((key) => built[key]!(doc)))).toContain(false);
      expect(docs.map((doc) => keys.some((key) => built[key]!(doc)))).toContain(true);
    },
  );

  it('a stale build (its schema changed since) is not used: the schema is compiled instead', () => {
    const spec = { ...PROVIDERS_VALIDATORS, schemas: { providers: { type: 'object', maxProperties: 1 } } };
    // The file of the old schema, under the changed spec's name.
    expect(loadValidators(spec, dir).providers({ a: {}, b: {} })).toBe(false);
    expect(loadValidators(PROVIDERS_VALIDATORS, dir).providers({ a: {}, b: {} })).toBe(true);
  });

  it('a built file with a wrong fingerprint is not used', () => {
    const other = mkdtempSync(join(__dirname, '.prebuilt-'));
    try {
      const spec = { ...PROVIDERS_VALIDATORS, name: 'forged' };
      writeFileSync(validatorsFile(spec, other), 'exports.providers = () => true;\nexports.fingerprint = "0";\n');
      expect(loadValidators(spec, other).providers('not an object')).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('the built-in providers catalog (npm run build)', () => {
  const text = readFileSync(BUILTIN_PROVIDERS_FILE, 'utf8');

  it('is the parsed and checked providers.yaml', () => {
    const problems: string[] = [];
    expect(readPrebuiltData(BUILTIN_CATALOG_DATA, text, dir)).toEqual(parseCatalogText(BUILTIN_PROVIDERS_FILE, text, problems));
    expect(problems).toEqual([]);
  });

  it('is not used once providers.yaml changed', () => {
    expect(readPrebuiltData(BUILTIN_CATALOG_DATA, `${text}\n# changed\n`, dir)).toBeUndefined();
    expect(readPrebuiltData(BUILTIN_CATALOG_DATA, text, join(dir, 'missing'))).toBeUndefined();
  });
});
