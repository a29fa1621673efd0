import { parseTagLines, tagsToLines } from '../../../dashboard/src/checks/tagLines';

describe('tags typed one key=value a line', () => {
  it('reads them, skipping blank lines and keeping = in values', () => {
    expect(parseTagLines('plan=pro\n\n  url = https://x?a=b  \nempty=')).toEqual({
      ok: true,
      tags: { plan: 'pro', url: 'https://x?a=b', empty: '' },
    });
  });

  it('names the first wrong line', () => {
    expect(parseTagLines('plan=pro\nnoequals')).toEqual({ ok: false, message: 'Line 2: write each tag as key=value.' });
    expect(parseTagLines('=x')).toEqual({ ok: false, message: 'Line 1: the tag needs a key before the =.' });
    expect(parseTagLines('a=1\na=2')).toEqual({ ok: false, message: 'Line 2: the key a is already given above.' });
    expect(parseTagLines(`k=${'v'.repeat(256)}`)).toEqual({
      ok: false,
      message: 'Line 1: the value is 256 characters; at most 255.',
    });
    expect(parseTagLines(`${'k'.repeat(65)}=v`)).toEqual({ ok: false, message: 'Line 1: the key is 65 characters; at most 64.' });
  });

  it('refuses more than 64 tags', () => {
    const text = Array.from({ length: 65 }, (_, n) => `k${n}=v`).join('\n');
    expect(parseTagLines(text)).toEqual({ ok: false, message: '65 tags; a Connection holds at most 64.' });
  });

  it('writes tags back one a line, keys sorted, so they read back the same', () => {
    const tags = { region: 'eu', plan: 'pro' };
    expect(tagsToLines(tags)).toBe('plan=pro\nregion=eu');
    expect(parseTagLines(tagsToLines(tags))).toEqual({ ok: true, tags });
  });
});
