/**
 * `load`, called at most once every `ms`: callers within that time get the last value, and callers while a load is
 * in flight share it. A failed load is not kept, so the next caller tries again. Scrapes use it so that several
 * Prometheus servers (or a scrape every second) cost the broker and the database one look every few seconds.
 */
export function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: T } | undefined;
  let inFlight: Promise<T> | undefined;
  return () => {
    if (last && Date.now() - last.at < ms) return Promise.resolve(last.value);
    inFlight ??= load()
      .then((value) => {
        last = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
