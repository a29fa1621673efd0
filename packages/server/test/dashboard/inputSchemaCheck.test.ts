import { lineAndColumn, parseJsonInput, scanErrorOffset, schemaProblems } from '../../../dashboard/src/checks/inputSchemaCheck';

/** The Try-an-action page's input checks: JSON syntax with where it breaks, then the schema subset it knows. */
describe('parseJsonInput', () => {
  it('parses JSON, and an empty text as the empty input {}', () => {
    expect(parseJsonInput('{ "msg": "hi", "n": [1, 2] }')).toEqual({ ok: true, value: { msg: 'hi', n: [1, 2] } });
    expect(parseJsonInput('  \n ')).toEqual({ ok: true, value: {} });
  });

  it('says where a syntax error is, by line and column', () => {
    const missingComma = parseJsonInput('{\n  "a": 1\n  "b": 2\n}');
    expect(missingComma).toMatchObject({ ok: false, line: 3, column: 3 });
    const trailingComma = parseJsonInput('{ "a": 1, }');
    expect(trailingComma).toMatchObject({ ok: false, line: 1, column: 11 });
    if (!trailingComma.ok) expect(trailingComma.message).toMatch(/^Not valid JSON: .+ \(line 1, column 11\)$/);
  });

  it('finds the place itself when the engine names none, and never quotes the text back', () => {
    const bare = parseJsonInput('{"token": secret}');
    expect(bare).toMatchObject({ ok: false, line: 1, column: 11 });
    if (!bare.ok) expect(bare.message).not.toContain('secret');
    expect(parseJsonInput('{"a":')).toMatchObject({ ok: false, line: 1, column: 6 });
  });
});

describe('scanErrorOffset', () => {
  it.each([
    ['nope', 1],
    ['{"a": tru}', 9],
    ['[1, 2,]', 6],
    ['{"a": "\\x"}', 8],
    ['{"a": "\\u12G4"}', 9],
    ['"open', 5],
    ['[1] x', 4],
    ['{"a": -}', 6],
  ])('%s breaks at offset %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(scanErrorOffset(text)).toBe(offset);
  });

  it('turns an offset into a 1-based line and column', () => {
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('schemaProblems', () => {
  const schema = {
    type: 'object',
    required: ['msg', 'channel'],
    properties: {
      msg: { type: 'string', minLength: 1 },
      channel: { type: 'string', enum: ['general', 'random'] },
      count: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string' } },
      nested: { type: 'object', required: ['id'], properties: { id: { type: ['string', 'number'] } } },
    },
  };

  it('accepts a value that matches', () => {
    expect(
      schemaProblems({ msg: 'hi', channel: 'general', count: 3, tags: ['a'], nested: { id: 7 }, extra: true }, schema),
    ).toEqual([]);
  });

  it('names each missing required field and each value of the wrong type or outside the enum', () => {
    expect(schemaProblems({ count: 1.5, tags: ['a', 2], nested: {} }, schema)).toEqual([
      'input.msg: is required',
      'input.channel: is required',
      'input.count: must be an integer, not 1.5',
      'input.tags[1]: must be a string, not 2',
      'input.nested.id: is required',
    ]);
    expect(schemaProblems({ msg: 'x', channel: 'ops' }, schema)).toEqual(['input.channel: must be one of "general", "random"']);
  });

  it('checks the top-level type first', () => {
    expect(schemaProblems([1], schema)).toEqual(['input: must be an object, not an array']);
    expect(schemaProblems(null, { type: ['object', 'null'] })).toEqual([]);
    expect(schemaProblems('text', { type: ['object', 'null'] })).toEqual(['input: must be an object or null, not "text"']);
  });

  it('compares enum values as JSON, objects in any key order', () => {
    const choice = { enum: [{ a: 1, b: [2] }, 3] };
    expect(schemaProblems({ b: [2], a: 1 }, choice)).toEqual([]);
    expect(schemaProblems({ a: 1 }, choice)).toEqual(['input: must be one of {"a":1,"b":[2]}, 3']);
  });

  it('accepts anything for a schema it cannot read, and nothing for false', () => {
    expect(schemaProblems({ any: 1 }, undefined)).toEqual([]);
    expect(schemaProblems({ any: 1 }, true)).toEqual([]);
    expect(schemaProblems({ any: 1 }, { properties: { any: false } })).toEqual(['input.any: is not allowed']);
  });

  it('stops at 20 problems', () => {
    const many = { type: 'object', required: Array.from({ length: 30 }, (_, i) => `f${i}`) };
    expect(schemaProblems({}, many)).toHaveLength(20);
  });
});
