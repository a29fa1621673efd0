import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { displayPath } from '../displayPath';
import { convert2022Config, is2022Format, lineOf2022, NANGO_CONFIG_2022 } from '../config/legacy/convert2022Config';

/** What migrate-config made of a 2022 folder. */
export interface Migration {
  /** The equivalent integrations.yaml in our format, notes as comments at its top. */
  readonly integrationsYaml: string;
  /** A providers.yaml for NANGO_PROVIDERS_FILE, when integrations declared their own OAuth settings (`auth:`). */
  readonly providersYaml: string | undefined;
  /** What could not be converted, one `path: message` line each; the texts are then incomplete. */
  readonly problems: string[];
}

/**
 * Converts a 2022 `nango-integrations/` folder (its integrations.yaml and nango-config.yaml) to our format, the
 * same conversion the worker does when it loads such a folder. Environment references are kept as written.
 * @throws Error when the folder has no integrations.yaml or a file is not valid YAML
 */
export function migrateConfig(folder: string): Migration {
  const integrationsFile = path.join(folder, 'integrations.yaml');
  const parsed = readYaml(integrationsFile);
  const nangoConfigFile = path.join(folder, NANGO_CONFIG_2022);
  const nangoConfig = existsSync(nangoConfigFile) ? readYaml(nangoConfigFile) : undefined;
  if (!is2022Format(parsed)) {
    const note = `# ${displayPath(integrationsFile)} is already in our format: nothing to convert.\n`;
    return { integrationsYaml: note + readFileSync(integrationsFile, 'utf8'), providersYaml: undefined, problems: [] };
  }
  const converted = convert2022Config(parsed, nangoConfig);
  const header = [
    `# Converted from ${displayPath(folder)} (the 2022 format) by nango-server migrate-config.`,
    '# Actions are found by file name: <integration>/<action>.action.ts in NANGO_INTEGRATIONS_DIR.',
    ...converted.notices.map((notice) => `# ${lineOf2022(notice)}`),
  ];
  const providers = Object.keys(converted.providers).length > 0 ? converted.providers : undefined;
  if (providers) header.push('# Providers made from `auth:` settings are in providers.yaml: set NANGO_PROVIDERS_FILE to it.');
  return {
    integrationsYaml: `${header.join('\n')}\n${stringify(converted.document, { lineWidth: 0 })}`,
    providersYaml: providers && stringify(providers, { lineWidth: 0 }),
    problems: converted.problems.map(lineOf2022),
  };
}

/**
 * `nango-server migrate-config <folder> [--out <file>]`: prints the converted integrations.yaml, or writes it (and
 * providers.yaml beside it when needed) without overwriting anything.
 * @returns the process exit code: 1 when something could not be converted or written
 */
export function runMigrateConfig(args: readonly string[], out = process.stdout, err = process.stderr): number {
  const [folder, flag, file, ...rest] = args;
  if (folder === undefined || (flag !== undefined && (flag !== '--out' || file === undefined)) || rest.length > 0) {
    err.write('usage: nango-server migrate-config <nango-integrations folder> [--out <new integrations.yaml>]\n');
    return 2;
  }
  let migration: Migration;
  try {
    migration = migrateConfig(path.resolve(folder));
  } catch (error) {
    err.write(`nango-server migrate-config: ${(error as Error).message}\n`);
    return 1;
  }
  for (const problem of migration.problems) err.write(`cannot convert: ${problem}\n`);
  if (file === undefined) {
    out.write(migration.integrationsYaml);
    if (migration.providersYaml) out.write(`\n# providers.yaml:\n${comment(migration.providersYaml)}`);
    return migration.problems.length > 0 ? 1 : 0;
  }
  const targets: [string, string][] = [[path.resolve(file), migration.integrationsYaml]];
  if (migration.providersYaml)
    targets.push([path.join(path.dirname(path.resolve(file)), 'providers.yaml'), migration.providersYaml]);
  const taken = targets.filter(([target]) => existsSync(target));
  if (taken.length > 0) {
    err.write(
      `nango-server migrate-config: ${taken.map(([target]) => displayPath(target)).join(', ')} exists; not overwritten\n`,
    );
    return 1;
  }
  for (const [target, text] of targets) {
    writeFileSync(target, text, { flag: 'wx' });
    err.write(`wrote ${displayPath(target)}\n`);
  }
  return migration.problems.length > 0 ? 1 : 0;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${displayPath(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      cause: error,
    });
  }
  try {
    return parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new Error(`${displayPath(file)}: ${(error as Error).message.split('\n')[0] ?? ''}`, { cause: error });
  }
}

function comment(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `# ${line}`)
    .join('\n')
    .concat('\n');
}
