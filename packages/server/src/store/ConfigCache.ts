/** A config text as it was read, with what identifies that version of it in the database. */
export interface CachedConfig {
  /** The Connection's uuid: a Connection deleted and made again under the same ids is another one. */
  readonly uuid: string;
  /** Its `config_version`, bumped by every write of its config. */
  readonly version: number;
  /** The config's JSON, as stored. */
  readonly json: string;
}

/** The default bound of a cache: 8 MiB of config text, 128 configs at the default cap of 64 KiB each. */
export const CONFIG_CACHE_BYTES = 8 * 1024 * 1024;
/** Configs shorter than this are not kept: the database sends them with the row at no cost worth saving. */
export const MIN_CACHED_CONFIG_BYTES = 1024;

/**
 * The config texts of Connections read lately, by integration and user id, each with the uuid and config_version it
 * was read at. A read sends those to the database, which leaves the config out when the row still has both, so a
 * large config crosses from the database (and is copied into a string) once per change rather than once per read.
 * Whatever writes it, this process or another sharing the database, bumps the version, so a stale text is never used.
 *
 * Bounded by the total length of the texts kept (characters: bytes for ASCII JSON), least recently used first out;
 * a text over a quarter of the bound is not kept, so that one Connection cannot empty the cache.
 */
export class ConfigCache {
  private readonly entries = new Map<string, CachedConfig>();
  private size = 0;

  constructor(
    private readonly maxBytes = CONFIG_CACHE_BYTES,
    private readonly minBytes = MIN_CACHED_CONFIG_BYTES,
  ) {}

  /** The text kept for that Connection, if any (it becomes the most recently used). */
  held(integration: string, userId: string): CachedConfig | undefined {
    const key = keyOf(integration, userId);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key); // re-inserted last: Map order is the recency order
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps the config text of a row just read in full, in place of an older one of the same Connection. */
  keep(integration: string, userId: string, entry: CachedConfig): void {
    const key = keyOf(integration, userId);
    this.forget(key);
    if (entry.json.length < this.minBytes || entry.json.length > this.maxBytes / 4) return;
    this.entries.set(key, entry);
    this.size += entry.json.length;
    for (const [oldest] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  /** Total length of the texts kept. */
  get bytes(): number {
    return this.size;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.size -= entry.json.length;
  }
}

/** One string per (integration, user id), whatever characters they hold: the first one's length comes first. */
function keyOf(integration: string, userId: string): string {
  return `${integration.length}:${integration}${userId}`;
}
