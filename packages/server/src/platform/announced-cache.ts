export type AnnouncedCache<V> = ReturnType<typeof createAnnouncedCache<V>>;

/**
 * Answers read from the database, kept while the database can say that they changed. Its triggers announce changes
 * on a channel (`Database.listen`): feed each announcement to `forget` and the listening state to `onListening`.
 * While nobody listens (not started, or the listening connection lost) nothing is kept; an answer read while
 * something changed may be the old one and is not kept; a change made by this process should `forget` at once rather
 * than wait for its own announcement. Absent answers (undefined, null) are never kept.
 */
export function createAnnouncedCache<V>(read: (key: string) => Promise<V>, { keepMs = Number.POSITIVE_INFINITY, maxEntries = 10_000 } = {}) {
  const kept = new Map<string, { value: NonNullable<V>; until: number }>();
  let listening = false;
  // Bumped by every forget: a read that overlapped one is not kept.
  let generation = 0;

  function forget(key?: string) {
    generation += 1;
    if (key === undefined) kept.clear();
    else kept.delete(key);
  }

  return {
    async get(key: string): Promise<V> {
      const hit = kept.get(key);
      if (listening && hit && hit.until > Date.now()) return hit.value;
      const seen = generation;
      const value = await read(key);
      if (value !== undefined && value !== null && listening && seen === generation) {
        if (kept.size >= maxEntries) kept.clear();
        kept.set(key, { value, until: Date.now() + keepMs });
      }
      return value;
    },
    forget,
    onListening(on: boolean) {
      listening = on;
      forget();
    },
    /** Changes a kept answer in place, for a write of this process that nobody announces. */
    update(key: string, change: (value: NonNullable<V>) => NonNullable<V>) {
      const hit = kept.get(key);
      if (hit) hit.value = change(hit.value);
    },
  };
}
