import { ERROR_CODES, isErrorCode } from '@nangohq/protocol';

describe('error codes', () => {
  it('are snake_case wire values, each with a reason', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(entry.when.length).toBeGreaterThan(10);
    }
  });

  it('recognises known codes and refuses inherited names', () => {
    expect(isErrorCode('timeout')).toBe(true);
    expect(isErrorCode('constructor')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});

describe('the error table of docs/errors.md', () => {
  const page = require('node:fs').readFileSync(
    require('node:path').join(__dirname, '..', '..', '..', 'docs', 'errors.md'),
    'utf8',
  ) as string;

  it('lists every code with its retryable flag, and no code that does not exist', () => {
    const rows = [...page.matchAll(/^\| `([a-z_]+)`\s*\| (yes|no)\s*\|/gm)].map((m) => [m[1], m[2] === 'yes'] as const);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.retryable])),
    );
  });
});
