import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { NangoAction, NangoSync, type HttpResponse } from '@nangohq/action';
import {
  createRecording,
  isSecretName,
  loadRecording,
  recordHttp,
  REDACTED,
  redactSecrets,
  replayHttp,
  replayRecording,
  runLocally,
  type FunctionClass,
  type RecordedExchange,
} from '@nangohq/action/testing';

const TOKEN = 'tok-0123456789-secret';

const connection: NangoConnection = {
  uuid: 'c-1',
  integration: 'demo',
  userId: 'ann',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
  additionalConfig: { team: 'blue' },
  authorization: 'ok',
  credentials: { access_token: TOKEN, raw: { access_token: TOKEN, scope: 'read' } },
};

/** A provider in memory: answers `/things?page=n` with two pages, echoing the token it was given. */
const provider = (async (_endpoint: string, _method: string, params?: Record<string, unknown>) => {
  const page = Number(params?.['page'] ?? 1);
  const text = JSON.stringify({ items: [{ id: page, name: `thing ${page}` }], next: page < 2 ? page + 1 : null, echo: TOKEN });
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json', 'set-cookie': `s=${TOKEN}` },
    body: JSON.parse(text),
    data: text,
    json: JSON.parse(text),
  };
}) as Parameters<typeof runLocally>[1]['http'];

class Things extends NangoSync<{ page: number }> {
  override async fetchData() {
    let page: number | null = ((await this.getCheckpoint())?.page ?? 0) + 1;
    while (page !== null) {
      const response: HttpResponse<{ items: { id: number; name: string }[]; next: number | null }> = await this.httpRequest<{
        items: { id: number; name: string }[];
        next: number | null;
      }>('/things', 'GET', {
        page,
      });
      await this.batchSave(response.body.items, 'Thing');
      await this.saveCheckpoint({ page });
      page = response.body.next;
    }
    await this.batchDelete([{ id: 9 }], 'Thing');
  }
}

class Echo extends NangoAction<{ say: string }, { said: string; team: unknown }> {
  override async executeAction(input: { say: string }) {
    this.logger.info('echo', { say: input.say });
    return { said: input.say, team: this.getCurrentConnection().additionalConfig['team'] };
  }
}

describe('@nangohq/action/testing', () => {
  it('runs a sync locally, keeping its saves, deletes and checkpoint in memory', async () => {
    const result = await runLocally(Things, { connection, http: provider });
    expect(result.records).toEqual({
      Thing: {
        saved: [
          { id: 1, name: 'thing 1' },
          { id: 2, name: 'thing 2' },
        ],
        updated: [],
        deleted: [{ id: 9 }],
      },
    });
    expect(result.checkpoint).toEqual({ page: 2 });
    expect(result).not.toHaveProperty('output');
  });

  it('runs an action locally with its input, returning its output and log lines', async () => {
    const result = await runLocally(Echo, { connection, http: provider, input: { say: 'hi' } });
    expect(result.output).toEqual({ said: 'hi', team: 'blue' });
    expect(result.logs).toEqual([{ level: 'info', message: 'echo', fields: { say: 'hi' } }]);
    await expect(runLocally((() => undefined) as unknown as FunctionClass, { connection, http: provider })).rejects.toThrow(
      'give the class the file exports',
    );
  });

  it('records every call, strips every secret, and replays the recording to the same result', async () => {
    const exchanges: RecordedExchange[] = [];
    const result = await runLocally(Things, { connection, http: recordHttp(provider, exchanges) });
    const recording = createRecording({
      integration: 'demo',
      function: 'things',
      kind: 'sync',
      connection,
      input: {},
      checkpoint: null,
      lastSyncDate: null,
      requests: exchanges,
      result: { records: result.records, checkpoint: result.checkpoint },
      extraSecrets: ['server-secret-key'],
    });
    const text = JSON.stringify(recording);
    expect(text).not.toContain(TOKEN);
    expect(recording.connection.credentials).toEqual({ access_token: REDACTED, raw: REDACTED });
    expect(recording.requests[0]?.response.headers['set-cookie']).toBe(REDACTED);
    expect(JSON.parse(recording.requests[0]?.response.text ?? '')).toMatchObject({ echo: REDACTED });

    const dir = mkdtempSync(join(tmpdir(), 'nango-recording-'));
    try {
      const file = join(dir, 'things.recording.json');
      writeFileSync(file, JSON.stringify(recording));
      const replay = await replayRecording(Things, file);
      expect(replay.result.records).toEqual(result.records);
      expect(replay.result.checkpoint).toEqual({ page: 2 });

      writeFileSync(file, '{not json');
      expect(() => loadRecording(file)).toThrow(`${file}: cannot read the recording`);
      writeFileSync(file, JSON.stringify({ ...recording, version: 99 }));
      expect(() => loadRecording(file)).toThrow('recording version 99, this replay reads version 1');
      writeFileSync(file, '{}');
      expect(() => loadRecording(file)).toThrow('not a recording');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers repeated calls in order, matches params and bodies whatever their key order, and names a call it lacks', async () => {
    const reply = (text: string): RecordedExchange['response'] => ({ status: 200, statusText: 'OK', headers: {}, text });
    const http = replayHttp([
      {
        method: 'POST',
        endpoint: '/a',
        params: { x: 1, y: 2 },
        body: { b: 1, a: [1, { d: 1, c: 2 }] },
        response: reply('first'),
      },
      {
        method: 'POST',
        endpoint: '/a',
        params: { x: 1, y: 2 },
        body: { b: 1, a: [1, { d: 1, c: 2 }] },
        response: reply('second'),
      },
    ]);
    const call = () => http('/a', 'post', { y: 2, x: 1, z: undefined }, { a: [1, { c: 2, d: 1 }], b: 1 });
    expect((await call()).data).toBe('first');
    expect((await call()).data).toBe('second');
    await expect(call()).rejects.toThrow('has no reply for POST /a?y=2&x=1 again');
    await expect(http('/b', 'GET')).rejects.toThrow('has no reply for GET /b; it holds: POST /a?x=1&y=2, POST /a?x=1&y=2');
  });

  it('redacts secret values anywhere (encoded too), secret-named fields and query parameters', () => {
    expect(isSecretName('X-Api-Key')).toBe(true);
    expect(isSecretName('refresh_token')).toBe(true);
    expect(isSecretName('next_page')).toBe(false);
    const redacted = redactSecrets(
      {
        url: `/cb?code=1&access_token=abc&x=${encodeURIComponent(`${TOKEN}/+`)}`,
        note: `Bearer ${TOKEN} and ${encodeURIComponent(TOKEN)}`,
        nested: [{ password: 'hunter2', name: 'ok' }],
        form: 'client_secret=s3cr3t&grant_type=refresh',
      },
      [TOKEN, `${TOKEN}/+`, 'abc'],
    );
    expect(redacted).toEqual({
      url: `/cb?code=1&access_token=${REDACTED}&x=${REDACTED}`,
      note: `Bearer ${REDACTED} and ${REDACTED}`,
      nested: [{ password: REDACTED, name: 'ok' }],
      form: `client_secret=${REDACTED}&grant_type=refresh`,
    });
  });
});
