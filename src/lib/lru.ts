/** A map that holds at most `capacity` entries, dropping the least recently used. */
export interface Lru<K, V> {
  /** The value, marked as just used; undefined when absent. */
  get(key: K): V | undefined;
  /** The value without marking it used (for scans that must not reorder). */
  peek(key: K): V | undefined;
  /** Stores the value as the most recently used, evicting the oldest if full. */
  set(key: K, value: V): void;
  delete(key: K): void;
  readonly size: number;
}

/**
 * A Map keeps insertion order, so re-inserting on every use makes its first
 * key the least recently used: O(1) per operation, no linked list to keep.
 */
export function createLru<K, V>(capacity: number): Lru<K, V> {
  const map = new Map<K, V>();
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    peek(key) {
      return map.get(key);
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      if (map.size > capacity) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
    },
    delete(key) {
      map.delete(key);
    },
    get size() {
      return map.size;
    },
  };
}
