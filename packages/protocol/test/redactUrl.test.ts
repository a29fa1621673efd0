import { redactUrl } from '@nangohq/protocol';

describe('redactUrl', () => {
  it.each([
    ['a plain password', 'amqp://app:s3cret@127.0.0.1:5999', 'amqp://app:***@127.0.0.1:5999'],
    ['an unencoded @', 'amqp://nango:p@ss@broker:5672/vh', 'amqp://nango:***@broker:5672/vh'],
    ['an unencoded :', 'amqp://nango:p:ss@broker:5672/vh', 'amqp://nango:***@broker:5672/vh'],
    ['an unencoded /', 'amqps://nango:p/ss@broker/vh', 'amqps://nango:***@broker/vh'],
    ['percent-encoded characters', 'amqp://nango:p%40s%3As%2F@broker:5672/vh', 'amqp://nango:***@broker:5672/vh'],
    ['every awkward character at once', 'amqp://u:a@b:c/d@e@broker', 'amqp://u:***@broker'],
    ['no scheme', 'u:secret@broker:5672', 'u:***@broker:5672'],
  ])('hides a password with %s', (_case, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    'amqp://localhost:5672',
    'amqp://localhost:5672/',
    'amqp://broker/vh',
    'amqp://user@broker:5672/vh',
    'amqp://user:@broker',
    'amqp://',
    '',
    'not a url',
  ])('keeps %p unchanged: it has no password', (url) => {
    expect(redactUrl(url)).toBe(url);
  });

  it('never throws, for bad percent-encoding or a value that is not a string', () => {
    expect(() => redactUrl(undefined as unknown as string)).not.toThrow();
    expect(redactUrl('amqp://u:p@h?x=%E0%A4%A')).toBe('amqp://u:***@h?x=%E0%A4%A');
  });
});
