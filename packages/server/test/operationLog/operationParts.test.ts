import { pathWithoutQueryValues } from '../../src/api/routes/proxy/pathWithoutQueryValues';
import { WorkerError } from '../../src/errors';
import { failureOf } from '../../src/operationLog/failureOf';
import { boundedJson, MAX_FIELDS, operationFields } from '../../src/operationLog/operationFields';
import { checkpointField, countFields } from '../../src/syncs/syncOperationFields';

describe('failureOf', () => {
  it('keeps our codes and messages; a timeout code ends timed_out', () => {
    expect(failureOf(new WorkerError('action_failed', 'Slack said no'))).toEqual({
      status: 'failed',
      error: { code: 'action_failed', message: 'Slack said no' },
    });
    expect(failureOf(new WorkerError('action_timeout', 'too slow')).status).toBe('timed_out');
    expect(failureOf(Object.assign(new Error('the run took too long'), { code: 'sync_timeout' })).status).toBe('timed_out');
  });

  it("never keeps the text of an error that is not ours: a driver's may quote values", () => {
    const internal = { status: 'failed', error: { code: 'internal_error', message: 'failed inside the server; see its log' } };
    expect(failureOf(Object.assign(new Error('duplicate key (token)=(secret-1)'), { code: '23505' }))).toEqual(internal);
    expect(failureOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual(internal);
    expect(failureOf(new Error('whatever'))).toEqual(internal);
    expect(failureOf('a string')).toEqual(internal);
  });
});

describe('operationFields', () => {
  it('keeps scalars, turns objects into bounded JSON, and counts what is past the limit', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_FIELDS + 3 }, (_, n) => [`f${n}`, n]));
    const fields = operationFields(many);
    expect(Object.keys(fields ?? {})).toHaveLength(MAX_FIELDS + 1);
    expect(fields?.['moreFields']).toBe(3);
    expect(operationFields({ a: 'x'.repeat(1000), b: { c: [1, 2] }, d: null, e: true, skip: undefined })).toEqual({
      a: `${'x'.repeat(255)}…`,
      b: '{"c":[1,2]}',
      d: null,
      e: true,
    });
    expect(operationFields({})).toBeUndefined();
    expect(operationFields(undefined)).toBeUndefined();
  });

  it('never throws on what JSON cannot encode', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(operationFields({ cycle, big: 10n })).toEqual({ cycle: '[unreadable]', big: '[unreadable]' });
    expect(boundedJson({ a: 1 }, 5)).toBe('{"a"…');
  });
});

describe('pathWithoutQueryValues', () => {
  it.each([
    ['/issues', '/issues'],
    ['/issues?state=open&page=2&state=closed', '/issues?state&page'],
    ['/search?q=secret-value&api_key=k-123', '/search?q&api_key'],
    ['/x?', '/x'],
    ['/x?=orphan&flag', '/x?flag'],
  ])('%s → %s', (endpoint, path) => {
    expect(pathWithoutQueryValues(endpoint)).toBe(path);
  });

  it('cuts a very long path', () => {
    expect(pathWithoutQueryValues(`/${'a'.repeat(2000)}`)).toHaveLength(512);
  });
});

describe('the fields of a sync run', () => {
  it('counts totals and each model', () => {
    expect(countFields({ Issue: { added: 3, updated: 1, deleted: 0 }, Comment: { added: 2, updated: 0, deleted: 4 } })).toEqual({
      added: 5,
      updated: 1,
      deleted: 4,
      'Issue.added': 3,
      'Issue.updated': 1,
      'Issue.deleted': 0,
      'Comment.added': 2,
      'Comment.updated': 0,
      'Comment.deleted': 4,
    });
  });

  it('shows at most 10 models on their own, and every model in the totals', () => {
    const models = Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`M${n}`, { added: 1, updated: 0, deleted: 0 }]));
    const fields = countFields(models);
    expect(fields['added']).toBe(12);
    expect(Object.keys(fields).filter((key) => key.endsWith('.added'))).toHaveLength(10);
  });

  it('summarises the checkpoint, secrets scrubbed before it is cut', () => {
    const scrub = (text: string) => text.replaceAll('tok-123456', '[redacted]');
    expect(checkpointField({ cursor: 'c-9', token: 'tok-123456' }, scrub)).toEqual({
      checkpoint: '{"cursor":"c-9","token":"[redacted]"}',
    });
    expect(checkpointField(null, scrub)).toEqual({ checkpoint: null });
    const long = checkpointField({ pad: 'x'.repeat(250), token: 'tok-123456' }, scrub)['checkpoint'] as string;
    expect(long).toHaveLength(256);
    expect(long).not.toContain('tok-');
  });
});
