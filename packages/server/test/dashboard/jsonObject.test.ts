import { lineAndColumn, parseJsonObject } from '../../../dashboard/src/checks/jsonObject';

describe('metadata typed as JSON', () => {
  it('gives back an object', () => {
    expect(parseJsonObject('{ "team": "blue", "n": [1, 2] }')).toEqual({ ok: true, value: { team: 'blue', n: [1, 2] } });
  });

  it('names the line and column of a syntax error, without the engine position', () => {
    const result = parseJsonObject('{\n  "team": "a",\n}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/^Line 3, column 1: \S/);
    expect(result.message).not.toMatch(/position/);
  });

  it('puts an early end at the end of the text', () => {
    const result = parseJsonObject('{\n  "a": 1');
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Line 2, column 9: /) });
  });

  it('says "must be an object" for an array, a string, a number or null', () => {
    for (const [text, found] of [
      ['[1]', 'an array'],
      ['"x"', 'a string'],
      ['3', 'a number'],
      ['null', 'null'],
    ]) {
      expect(parseJsonObject(text as string)).toEqual({
        ok: false,
        message: `The metadata must be a JSON object ({ … }), not ${found}.`,
      });
    }
  });

  it('asks for {} when the field is empty', () => {
    expect(parseJsonObject('  ')).toEqual({ ok: false, message: 'Enter a JSON object, {} for none.' });
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 99)).toEqual({ line: 1, column: 3 });
  });
});
