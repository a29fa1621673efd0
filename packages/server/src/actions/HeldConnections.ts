import { HELD_CONNECTIONS } from './sandboxProtocol';

/** What a sandbox holds of one Connection between runs: its fields but the config, and the config's JSON text. */
export interface HeldConnection<Fields> {
  readonly fields: Fields;
  readonly config: string;
}

/**
 * The Connections a sandbox holds between runs, by uuid, the least recently run first, at most HELD_CONNECTIONS. The
 * sandbox keeps one and the worker a mirror of it for each sandbox; both `hold` the Connection of every run message,
 * in the order the messages go, so they agree on what the sandbox has without asking it. Entries are replaced, never
 * changed: a run keeps the entry it started with, whatever later runs hold.
 */
export class HeldConnections<Fields> {
  private readonly entries = new Map<string, HeldConnection<Fields>>();

  get(uuid: string): HeldConnection<Fields> | undefined {
    return this.entries.get(uuid);
  }

  /** Holds `entry` as the most recently run; the least recently run goes past the bound. */
  hold(uuid: string, entry: HeldConnection<Fields>): void {
    this.entries.delete(uuid);
    this.entries.set(uuid, entry);
    if (this.entries.size > HELD_CONNECTIONS) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/**
 * Whether `connection`'s fields but its config (`additionalConfig`, not read: reading a stored config parses it) are
 * the same data as `held`: the same keys in the same order, with equal values all the way down. Only plain data
 * compares equal (objects, arrays, strings, numbers, booleans, null, as JSON gives them); anything else (a Date, a
 * Buffer) counts as changed, so that a sandbox is never left with a stale copy.
 */
export function sameFieldsAs(held: object, connection: object): boolean {
  const heldKeys = Object.keys(held);
  let at = 0;
  for (const key of Object.keys(connection)) {
    if (key === 'additionalConfig') continue;
    if (heldKeys[at++] !== key) return false;
    if (!sameData((held as Record<string, unknown>)[key], (connection as Record<string, unknown>)[key])) return false;
  }
  return at === heldKeys.length;
}

function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const array = Array.isArray(a);
  if (array !== Array.isArray(b) || (!array && (!isPlainObject(a) || !isPlainObject(b)))) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!;
    if (keysB[i] !== key) return false;
    if (!sameData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** An object literal's or JSON.parse's (of any realm: a clone may come from another), not a class instance's. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
