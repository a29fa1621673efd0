import type { NangoConnection } from '@nangohq/protocol';
import {
  configJsonOf,
  connectionJson,
  copyConnection,
  jsonWithConfig,
  withoutConfig,
  withStoredConfig,
} from '../../src/store/storedConfig';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { testCipher } from '../helpers/testCipher';

const FIELDS = {
  uuid: 'u-1',
  integration: 'example',
  userId: 'alice',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-02T00:00:00.000Z',
  authorization: 'ok' as const,
  credentials: { api_key: 'k', raw: { api_key: 'k' } },
};
const connectionOf = (json: string): NangoConnection => withStoredConfig({ ...FIELDS }, json);

/** A Connection's config as the store hands it over: JSON text, parsed only when read, spliced into replies as it is. */
describe('storedConfig', () => {
  it('parses the config only when it is read, once', () => {
    const connection = connectionOf('{not json'); // would throw if it were parsed now
    expect(connection.userId).toBe('alice');
    expect(configJsonOf(connection)).toBe('{not json');
    expect(() => connection.additionalConfig).toThrow(SyntaxError);

    const parsed = connectionOf('{"a":{"b":1}}');
    expect(parsed.additionalConfig).toBe(parsed.additionalConfig); // the same object: parsed once
  });

  it('carries the config through a spread, JSON and structuredClone, which read it', () => {
    const connection = connectionOf('{"plan":"pro"}');
    expect({ ...connection }.additionalConfig).toEqual({ plan: 'pro' });
    expect(JSON.parse(JSON.stringify(connection))).toEqual({ ...FIELDS, additionalConfig: { plan: 'pro' } });
    expect(structuredClone(connectionOf('{"plan":"pro"}')).additionalConfig).toEqual({ plan: 'pro' });
  });

  it('splices the stored text into replies while nothing has read it, and the current value once something has', () => {
    const connection = connectionOf('{ "plan" : "pro" }'); // stored spacing shows the text went through untouched
    expect(connectionJson(connection)).toBe(
      '{"uuid":"u-1","integration":"example","userId":"alice","dateCreated":"2026-01-01T00:00:00.000Z",' +
        '"lastModified":"2026-01-02T00:00:00.000Z","authorization":"ok","credentials":{"api_key":"k","raw":{"api_key":"k"}},' +
        '"additionalConfig":{ "plan" : "pro" }}',
    );
    expect(jsonWithConfig({ id: 1 }, connection, ['connection_config', 'metadata'])).toBe(
      '{"id":1,"connection_config":{ "plan" : "pro" },"metadata":{ "plan" : "pro" }}',
    );
    expect(jsonWithConfig({}, connection, ['metadata'])).toBe('{"metadata":{ "plan" : "pro" }}');

    connection.additionalConfig['plan'] = 'team'; // read, then changed: the stored text is stale now
    expect(configJsonOf(connection)).toBe('{"plan":"team"}');
    expect(JSON.parse(connectionJson(connection)).additionalConfig).toEqual({ plan: 'team' });
    connection.additionalConfig = { replaced: true };
    expect(configJsonOf(connection)).toBe('{"replaced":true}');
  });

  it('copies a Connection with other fields without reading its config, and each copy parses its own', () => {
    const connection = connectionOf('{not json');
    const copy = copyConnection(connection, { credentials: { api_key: 'other', raw: {} } });
    expect(copy.credentials['api_key']).toBe('other');
    expect(connection.credentials['api_key']).toBe('k');
    expect(configJsonOf(copy)).toBe('{not json');

    const valid = connectionOf('{"list":[1]}');
    const second = copyConnection(valid, {});
    (second.additionalConfig['list'] as number[]).push(2);
    expect(valid.additionalConfig).toEqual({ list: [1] });
    const third = copyConnection(valid, {}); // from a Connection whose config was read: that value is carried
    expect(third.additionalConfig).toBe(valid.additionalConfig);
  });

  it('leaves the config out of withoutConfig, without reading it', () => {
    expect(withoutConfig(connectionOf('{not json'))).toEqual(FIELDS);
  });

  it('is what the store hands over: get parses no config nobody reads', async () => {
    const sqlite = new SqliteStore(':memory:', testCipher());
    try {
      await sqlite.connections.insert({
        integration: 'example',
        userId: 'alice',
        credentials: FIELDS.credentials,
        additionalConfig: { a: 1 },
      });
      // Stored as no worker would write it: only a read of the config can notice.
      sqlite.database.prepare("UPDATE connections SET additional_config = '{broken'").run();
      const connection = await sqlite.connections.get('example', 'alice');
      expect(connection?.credentials['api_key']).toBe('k');
      expect(configJsonOf(connection as NangoConnection)).toBe('{broken');
      expect(() => connection?.additionalConfig).toThrow(SyntaxError);
    } finally {
      await sqlite.close();
    }
  });
});
