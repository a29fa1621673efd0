import { randomFillSync } from 'node:crypto';

/** Crockford's base 32: no I, L, O or U, so an id read aloud or retyped stays unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10; // 48 bits of epoch milliseconds: enough until the year 10889
const RANDOM_CHARS = 16; // 80 bits
const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Random bytes drawn in bulk: one system call per 409 ids rather than one per id. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

let lastTime = -1;
const lastRandom: number[] = new Array<number>(RANDOM_CHARS).fill(0);

/**
 * A new operation id for an operation that started at `at` (epoch ms): 26 characters, the time first then 80 random
 * bits, like a ULID. Ids sort as their start times do, so the operations log is ordered, paged and cut by time on its
 * primary key alone (which is why the id's form belongs to the store). Ids made in the same millisecond by this process increase (the random part is incremented), so they
 * keep their order too.
 */
export function newOperationId(at: number = Date.now()): string {
  const time = Math.max(0, Math.floor(at));
  if (time === lastTime) increment(lastRandom);
  else {
    lastTime = time;
    fillRandom(lastRandom);
  }
  let random = '';
  for (const digit of lastRandom) random += ALPHABET[digit];
  return encodeTime(time) + random;
}

/** The smallest id of an operation started at `at` (epoch ms): `id >= operationIdFloor(t)` is "started at or after t". */
export function operationIdFloor(at: number): string {
  return encodeTime(Math.max(0, Math.floor(at))) + '0'.repeat(RANDOM_CHARS);
}

/** Whether `text` has the form of an operation id. */
export function isOperationId(text: string): boolean {
  return ID_PATTERN.test(text);
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let index = 0; index < TIME_CHARS; index++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function fillRandom(digits: number[]): void {
  if (poolAt + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  // One byte per digit, five bits of it: simpler than packing 80 bits, and the pool is cheap.
  for (let index = 0; index < RANDOM_CHARS; index++) digits[index] = (pool[poolAt++] as number) & 31;
}

/** Adds one to the random part; past all ones (1 in 2^80) it wraps, which only costs the order within that millisecond. */
function increment(digits: number[]): void {
  for (let index = digits.length - 1; index >= 0; index--) {
    const next = (digits[index] as number) + 1;
    if (next < 32) {
      digits[index] = next;
      return;
    }
    digits[index] = 0;
  }
}
