import { ConfigCache } from '../../src/store/ConfigCache';

const entry = (chars: number, version = 0) => ({ uuid: 'u', version, json: 'x'.repeat(chars) });

/** The config texts a store keeps, bounded by their total length, least recently used out first. */
describe('ConfigCache', () => {
  it('keeps texts by integration and user id, and replaces one with its newer version', () => {
    const cache = new ConfigCache(1000, 10);
    cache.keep('a', 'b', entry(100));
    expect(cache.held('a', 'b')).toEqual(entry(100));
    expect(cache.held('ab', '')).toBeUndefined(); // not the same ids, though the same characters
    cache.keep('a', 'b', entry(50, 1));
    expect(cache.held('a', 'b')).toEqual(entry(50, 1));
    expect(cache.bytes).toBe(50);
  });

  it('leaves out texts too small to be worth it and too large to share the room', () => {
    const cache = new ConfigCache(1000, 10);
    cache.keep('a', 'small', entry(9));
    cache.keep('a', 'large', entry(251));
    expect([cache.held('a', 'small'), cache.held('a', 'large'), cache.bytes]).toEqual([undefined, undefined, 0]);
    cache.keep('a', 'b', entry(100));
    cache.keep('a', 'b', entry(9, 1)); // a text that shrank drops the old one: it is stale
    expect(cache.held('a', 'b')).toBeUndefined();
  });

  it('stays within its bound, the least recently used going first', () => {
    const cache = new ConfigCache(1000, 10);
    for (const user of ['1', '2', '3', '4']) cache.keep('a', user, entry(250));
    expect(cache.bytes).toBe(1000);
    cache.held('a', '1'); // used: now the most recent
    cache.keep('a', '5', entry(250));
    expect(cache.bytes).toBe(1000);
    expect(['1', '2', '3', '4', '5'].map((user) => cache.held('a', user) !== undefined)).toEqual([true, false, true, true, true]);
  });
});
