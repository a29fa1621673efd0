/** Combinations of label values one metric keeps at most; further ones are counted under OVERFLOW_VALUE. */
export const MAX_COMBINATIONS = 2_000;

/** The label value every label takes once a metric is full: a bug or an attack must not grow the scrape forever. */
export const OVERFLOW_VALUE = 'other';

/**
 * One cell per combination of up to three label values, found through nested maps: a lookup builds no key string
 * and allocates nothing once the cell exists, which is what lets the hot path (every RPC request, every HTTP
 * reply) count without prom-client's per-call label hashing. Past MAX_COMBINATIONS, new combinations share one
 * overflow cell whose labels all read OVERFLOW_VALUE.
 */
export class LabelTable<C> {
  private readonly root = new Map<string, Map<string, Map<string, C>>>();
  private readonly all: C[] = [];
  private overflow: C | undefined;

  /** @param make makes the cell of a new combination (its label values, '' for labels the metric has not) */
  constructor(
    private readonly make: (a: string, b: string, c: string) => C,
    private readonly max = MAX_COMBINATIONS,
  ) {}

  /** The cell of one combination, made on first use. */
  get(a: string, b = '', c = ''): C {
    let level1 = this.root.get(a);
    const level2 = level1?.get(b);
    const found = level2?.get(c);
    if (found !== undefined) return found;
    if (this.all.length >= this.max) {
      this.overflow ??= this.add(OVERFLOW_VALUE, OVERFLOW_VALUE, OVERFLOW_VALUE);
      return this.overflow;
    }
    const cell = this.add(a, b, c);
    if (!level1) this.root.set(a, (level1 = new Map()));
    let leaves = level1.get(b);
    if (!leaves) level1.set(b, (leaves = new Map()));
    leaves.set(c, cell);
    return cell;
  }

  /** Every cell made so far, for a scrape. */
  cells(): readonly C[] {
    return this.all;
  }

  private add(a: string, b: string, c: string): C {
    const cell = this.make(a, b, c);
    this.all.push(cell);
    return cell;
  }
}
