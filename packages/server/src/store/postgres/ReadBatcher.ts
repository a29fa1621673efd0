/** A read waiting for its batch. */
interface Waiting<K, R> {
  readonly key: K;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Reads of one kind asked during the same turn of the event loop, sent to PostgreSQL as one statement. A worker
 * under load takes its deliveries in bursts, so at 64 calls in flight several Connection reads start together; one
 * round trip for them saves each of the others a socket write and read on both sides and a wake-up of a backend, which
 * on a busy machine cost more than the lookup itself. A read alone goes as before (`one`), with no wait: the batch is
 * sent once the promise jobs queued when it was asked have run (as DataLoader schedules). Each read gets the result
 * its own statement would have got: the batch is sent after every read in it was asked, so it sees every write that
 * finished before.
 */
export class ReadBatcher<K, R> {
  private waiting: Array<Waiting<K, R>> = [];

  /**
   * @param one reads one key (the statement a lone read sends)
   * @param many reads several keys in one statement, results in the order of the keys
   * @param maxBatch keys sent at most in one statement. Default: 64
   */
  constructor(
    private readonly one: (key: K) => Promise<R>,
    private readonly many: (keys: readonly K[]) => Promise<R[]>,
    private readonly maxBatch = 64,
  ) {}

  load(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (this.waiting.length === 1) void Promise.resolve().then(() => process.nextTick(() => this.flush()));
      else if (this.waiting.length >= this.maxBatch) this.flush();
    });
  }

  private flush(): void {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    const [first] = batch;
    const results =
      batch.length === 1 && first ? this.one(first.key).then((result) => [result]) : this.many(batch.map((w) => w.key));
    results.then(
      (rows) => batch.forEach((waiting, index) => waiting.resolve(rows[index] as R)),
      (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
    );
  }
}
