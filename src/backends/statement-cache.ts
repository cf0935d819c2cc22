interface Entry<V> {
  readonly sql: string;
  readonly value: V;
  older: Entry<V> | undefined;
  newer: Entry<V> | undefined;
}

/**
 * A bounded least-recently-used cache of prepared statements keyed by their SQL. A hit
 * relinks one entry of a list instead of deleting and re-inserting the key (which hashes the
 * SQL twice more and leaves holes for the Map to compact): the lookup is on every statement.
 *
 * @example
 * ```ts
 * const cache = new StatementCache<string>(256);
 * const evicted = cache.add(sql, "athanor_7"); // the least recently used name, once full
 * cache.get(sql); // "athanor_7", now the most recently used
 * ```
 */
export class StatementCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry<V>>();
  #oldest: Entry<V> | undefined;
  #newest: Entry<V> | undefined;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value, marked most recently used. */
  get(sql: string): V | undefined {
    const entry = this.#entries.get(sql);
    if (entry === undefined) return undefined;
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry.value;
  }

  /** Caches `value` for `sql`; returns the value evicted to stay within capacity, if any. */
  add(sql: string, value: V): V | undefined {
    if (this.#capacity <= 0) return value;
    const previous = this.#entries.get(sql);
    if (previous !== undefined) this.#unlink(previous);
    const entry: Entry<V> = { sql, value, older: undefined, newer: undefined };
    this.#entries.set(sql, entry);
    this.#append(entry);
    if (previous !== undefined) return previous.value;
    if (this.#entries.size <= this.#capacity) return undefined;
    const oldest = this.#oldest!;
    this.#unlink(oldest);
    this.#entries.delete(oldest.sql);
    return oldest.value;
  }

  /** Forgets `sql` if it still maps to `value`. */
  remove(sql: string, value: V): void {
    const entry = this.#entries.get(sql);
    if (entry === undefined || entry.value !== value) return;
    this.#unlink(entry);
    this.#entries.delete(sql);
  }

  clear(): void {
    this.#entries.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  #unlink(entry: Entry<V>): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #append(entry: Entry<V>): void {
    entry.older = this.#newest;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }
}
