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
