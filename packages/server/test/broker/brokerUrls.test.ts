import { resolveWorkerSettings } from '../../src/settings';
import {
  BrokerTarget,
  brokerUrlProblems,
  redactBrokerUrls,
  splitBrokerUrls,
  toConnectOptions,
} from '../../src/broker/brokerUrls';

describe('broker URLs (NANGO_RABBITMQ_URL)', () => {
  it('splits a comma-separated list in order, dropping blanks', () => {
    expect(splitBrokerUrls(' amqp://a:5672 , amqp://b:5673,,amqps://c ')).toEqual([
      'amqp://a:5672',
      'amqp://b:5673',
      'amqps://c',
    ]);
    expect(splitBrokerUrls('amqp://localhost')).toEqual(['amqp://localhost']);
  });

  it('names a bad address by its position and never shows its password', () => {
    const value = 'amqp://u:s3cret@a:5672,http://u:hunter2@b,amqp://u:p%zz@c';
    const problems = brokerUrlProblems('NANGO_RABBITMQ_URL', value);
    expect(problems).toEqual([
      'NANGO_RABBITMQ_URL: address 2 of 3 (http://u:***@b) must start with amqp:// or amqps://',
      'NANGO_RABBITMQ_URL: address 3 of 3 (amqp://u:***@c) has a user name or password that is not valid percent-encoding',
    ]);
    expect(problems.join('\n')).not.toMatch(/s3cret|hunter2|p%zz/);
    expect(brokerUrlProblems('NANGO_RABBITMQ_URL', ' , ')).toEqual([
      'NANGO_RABBITMQ_URL must hold at least one amqp:// or amqps:// URL',
    ]);
    expect(brokerUrlProblems('NANGO_RABBITMQ_URL', 'rabbit:5672')).toEqual([
      'NANGO_RABBITMQ_URL (rabbit:5672) must start with amqp:// or amqps://',
    ]);
  });

  it('is checked with the other settings at start', () => {
    expect(() => resolveWorkerSettings({ NANGO_RABBITMQ_URL: 'amqp://a,amqp://u:pw@' })).toThrow(
      /NANGO_RABBITMQ_URL: address 2 of 2 \(amqp:\/\/u:\*\*\*@\) (has no host|is not a valid URL)/,
    );
    expect(resolveWorkerSettings({ NANGO_RABBITMQ_URL: 'amqp://a:1,amqp://b:2' }).rabbitmqUrl).toBe('amqp://a:1,amqp://b:2');
  });

  it('redacts every password of a list', () => {
    expect(redactBrokerUrls('amqp://u:one@a,amqp://u:two@b')).toBe('amqp://u:***@a, amqp://u:***@b');
  });

  it('turns a URL into the fields amqplib reads from a URL string', () => {
    expect(toConnectOptions('amqp://u%40x:p%2Cw@host:5673/v%2Fh?heartbeat=5&frameMax=8192&locale=de_DE')).toEqual({
      protocol: 'amqp',
      hostname: 'host',
      port: 5673,
      username: 'u@x',
      password: 'p,w',
      vhost: 'v%2Fh', // amqplib percent-decodes the vhost of the object form itself
      heartbeat: 5,
      frameMax: 8192,
      locale: 'de_DE',
    });
    expect(toConnectOptions('amqps://h')).toEqual({ protocol: 'amqps', hostname: 'h', port: 5671 });
    expect(toConnectOptions('amqp://[::1]')).toEqual({ protocol: 'amqp', hostname: '::1', port: 5672 });
  });

  it('gives amqplib the URL string itself when there is one, and one object it moves round the list when several', () => {
    expect(new BrokerTarget('amqp://only').target).toBe('amqp://only');
    const target = new BrokerTarget('amqp://u:p@a:1,amqp://b:2/vh,amqp://c:3');
    const seen = target.target;
    expect(seen).toEqual({ protocol: 'amqp', hostname: 'a', port: 1, username: 'u', password: 'p' });
    target.next();
    expect(target.target).toBe(seen); // the same object: amqplib's recovery keeps the one it was given
    expect(seen).toEqual({ protocol: 'amqp', hostname: 'b', port: 2, vhost: 'vh' }); // no credentials left behind
    target.next();
    expect(target.current).toBe('amqp://c:3');
    target.next();
    expect(target.current).toBe('amqp://u:p@a:1');
    expect(() => new BrokerTarget(' ')).toThrow(/no broker URL/);
  });
});
