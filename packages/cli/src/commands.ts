import { CliError, request } from './ApiClient';
import type { Command } from './Command';
import { DEPLOY_COMMAND } from './deployCommand';
import { DRYRUN_COMMAND } from './dryrun/dryrunCommand';
import { LOGS_COMMAND } from './logsCommand';
import { keyValues, table } from './table';

export type { Command } from './Command';

const CONFIG_ARGS = ['<provider_config_key>', '<provider>', '<client_id>', '<client_secret>', '[scopes]'];

/** The body of POST and PUT /config from the positional arguments. */
function configBody(args: readonly string[]) {
  const [key, provider, clientId, clientSecret, scopes = ''] = args;
  return {
    provider_config_key: key,
    provider,
    oauth_client_id: clientId,
    oauth_client_secret: clientSecret,
    oauth_scopes: scopes,
  };
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'config:list',
    args: [],
    summary: 'List the integrations (provider configs): those of integrations.yaml and those made here.',
    async run(settings, _args, print) {
      const { configs } = (await request(settings, 'GET', '/config')) as { configs: Record<string, unknown>[] };
      print(
        table(
          [
            { key: 'unique_key', title: 'provider config key' },
            { key: 'provider', title: 'provider' },
            { key: 'oauth_client_id', title: 'client id' },
            { key: 'oauth_scopes', title: 'scopes' },
            { key: 'source', title: 'source' },
            { key: 'created_at', title: 'created' },
          ],
          configs,
        ),
      );
    },
  },
  {
    name: 'config:get',
    args: ['<provider_config_key>'],
    summary: 'Show one integration.',
    async run(settings, [key], print) {
      const { config } = (await request(settings, 'GET', `/config/${encodeURIComponent(key as string)}`)) as {
        config: Record<string, unknown>;
      };
      print(keyValues(config));
    },
  },
  {
    name: 'config:create',
    args: CONFIG_ARGS,
    summary: "Create an integration for a provider of the catalog, with your OAuth app's client id and secret.",
    details:
      'Scopes are one comma-separated argument, e.g. "read,write". Register <server>/oauth/callback as the callback\n' +
      'URL of your OAuth app. Example:\n  nango config:create github github <client-id> <client-secret> "repo,user"',
    async run(settings, args, print) {
      await request(settings, 'POST', '/config', configBody(args));
      print(`Created integration '${args[0]}' (provider ${args[1]}). Its OAuth callback URL is the server's /oauth/callback.`);
    },
  },
  {
    name: 'config:edit',
    args: CONFIG_ARGS,
    summary: 'Replace the provider, client id, secret and scopes of an integration made with config:create.',
    async run(settings, args, print) {
      await request(settings, 'PUT', '/config', configBody(args));
      print(`Updated integration '${args[0]}'.`);
    },
  },
  {
    name: 'config:delete',
    args: ['<provider_config_key>'],
    summary: 'Delete an integration made with config:create (its Connections stay).',
    async run(settings, [key], print) {
      await request(settings, 'DELETE', `/config/${encodeURIComponent(key as string)}`);
      print(`Deleted integration '${key}'.`);
    },
  },
  {
    name: 'connection:get',
    args: ['<connection_id>', '<provider_config_key>'],
    summary: 'Show one Connection with fresh credentials (refreshed first when they expire soon), as JSON.',
    async run(settings, [connectionId, key], print) {
      const path = `/connection/${encodeURIComponent(connectionId as string)}?provider_config_key=${encodeURIComponent(key as string)}`;
      print(JSON.stringify(await request(settings, 'GET', path), null, 2));
    },
  },
  {
    name: 'connection:list',
    args: [],
    summary: 'List every Connection (no credentials).',
    async run(settings, _args, print) {
      const { connections } = (await request(settings, 'GET', '/connection')) as { connections: Record<string, unknown>[] };
      print(
        table(
          [
            { key: 'connection_id', title: 'connection id' },
            { key: 'provider', title: 'provider config key' },
            { key: 'created', title: 'created' },
          ],
          connections,
        ),
      );
    },
  },
  LOGS_COMMAND,
  DRYRUN_COMMAND,
  DEPLOY_COMMAND,
];

/** `nango <command> …args` usage line. */
export function usage(command: Command): string {
  const options = command.flags ? ' [options]' : '';
  return `nango ${command.name}${command.args.length > 0 ? ` ${command.args.join(' ')}` : ''}${options}`;
}

/**
 * The arguments of a command, checked for count.
 * @throws CliError (exit code 2) naming the first missing argument, or the extra ones
 */
export function checkArgs(command: Command, args: readonly string[]): void {
  const required = command.args.filter((arg) => arg.startsWith('<'));
  if (args.length < required.length) {
    throw new CliError(`nango ${command.name}: missing ${required[args.length]}.\nUsage: ${usage(command)}`, 2);
  }
  if (args.length > command.args.length) {
    const hint = command.args.includes('[scopes]') ? ' (put scopes in one quoted argument)' : '';
    throw new CliError(
      `nango ${command.name}: unexpected argument '${args[command.args.length]}'${hint}.\nUsage: ${usage(command)}`,
      2,
    );
  }
}
