/**
 * Values for the input fields a catalog entry declares (`connection_config` and `credentials`), as a user would type
 * them into the Connect UI: one the field's enum, default, example or format offers when it fits the field's
 * pattern, else one made from the pattern (randexp, drawn from a generator seeded with the entry and field names,
 * so every run gives the same values).
 */
import { createHash } from 'node:crypto';
import RandExp from 'randexp';

/** One field as the catalog describes it; only what choosing a value reads. */
export interface FieldSpec {
  readonly type?: string;
  readonly pattern?: string;
  readonly example?: unknown;
  readonly default_value?: unknown;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly optional?: boolean;
  readonly automated?: boolean;
}

/** What a user types when nothing better is offered, tried in order against the pattern. */
const PLAIN = ['acme', 'acme.example.com', '12345', 'https://acme.example.com', 'user@example.com'];

const BY_FORMAT: Readonly<Record<string, string>> = {
  uri: 'https://acme.example.com',
  url: 'https://acme.example.com',
  hostname: 'acme.example.com',
  email: 'user@example.com',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
};

/** A value for a connection_config field: the first offered one that fits its pattern. */
export function configValue(spec: FieldSpec, seed: string): string {
  const offered = [
    ...(spec.enum ?? []).slice(0, 1),
    spec.default_value,
    spec.example,
    spec.format === undefined ? undefined : BY_FORMAT[spec.format],
    ...PLAIN,
  ];
  for (const candidate of offered) {
    if (candidate === undefined || candidate === null || typeof candidate === 'object') continue;
    const text = String(candidate);
    if (fits(spec, text)) return text;
  }
  return fromPattern(spec.pattern, seed) ?? 'acme';
}

/**
 * A value for a credential field, new for each `seed` so the mock can tell whose call carries it: made from the
 * pattern when there is one, else `<field>-<digest>`; a default the field gives (Nango's `password: x`) as it is.
 */
export function credentialValue(field: string, spec: FieldSpec | undefined, seed: string): string {
  if (spec?.default_value !== undefined && spec.default_value !== null) return String(spec.default_value);
  const plain = `${field}-${digest(seed).slice(0, 16)}`;
  if (spec === undefined || fits(spec, plain)) return plain;
  // Long enough to be told apart from other text in a request: the longest of a few draws.
  const drawn = Array.from({ length: 20 }, (_, draw) => fromPattern(spec.pattern, `${seed}/${draw}`) ?? '');
  return drawn.sort((a, b) => b.length - a.length)[0] || plain;
}

function fits(spec: FieldSpec, text: string): boolean {
  if (spec.pattern === undefined) return true;
  try {
    return new RegExp(spec.pattern).test(text);
  } catch {
    return false; // a pattern JavaScript cannot read: nothing is known to fit it
  }
}

/** A string the pattern matches, drawn with a generator seeded by `seed`; undefined without a usable pattern. */
function fromPattern(pattern: string | undefined, seed: string): string | undefined {
  if (pattern === undefined) return undefined;
  let generator: RandExp;
  try {
    generator = new RandExp(new RegExp(pattern));
  } catch {
    return undefined;
  }
  const random = seededRandom(seed);
  generator.randInt = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  generator.max = 24;
  // `.` and negated classes draw letters and digits: what a key or a host label is made of.
  generator.defaultRange.subtract(0, 0x10ffff);
  generator.defaultRange.add(0x30, 0x39).add(0x41, 0x5a).add(0x61, 0x7a);
  const value = generator.gen();
  return new RegExp(pattern).test(value) ? value : undefined;
}

/** mulberry32, seeded by the digest of `seed`. */
function seededRandom(seed: string): () => number {
  let state = Number.parseInt(digest(seed).slice(0, 8), 16);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
