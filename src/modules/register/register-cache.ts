import { LRUCache } from 'lru-cache';

/**
 * The register as a reader found it: the change feed's head (moved by every public change, whoever
 * makes it, on whichever instance) and the first London date of removal still in public view
 * (moved by the calendar alone). An answer worked out after reading a version holds at least that
 * version's changes, so it may be given to anyone who reads the same one.
 */
export interface RegisterVersion {
  position: number;
  removedVisibleFrom: string;
}

const newer = (a: RegisterVersion, b: RegisterVersion) => (a.removedVisibleFrom !== b.removedVisibleFrom ? a.removedVisibleFrom > b.removedVisibleFrom : a.position > b.position);

export interface RegisterCacheOptions<V> {
  /** The most kept at once, in the units of `size`; 0 keeps nothing. */
  maxSize: number;
  /** An answer's share of `maxSize` (a positive integer). */
  size: (value: V) => number;
}

/**
 * Answers kept until the register changes, least recently used first out when full. Each process
 * keeps its own and reads the version itself, so no instance serves an answer older than the
 * register it has just read. Concurrent askers of one key share one computation; a failed one is
 * not kept. An asker holding a version older than the latest seen (it read the head before a change
 * another asker already saw) gets a fresh answer, not kept.
 */
export function createRegisterCache<V extends object>({ maxSize, size }: RegisterCacheOptions<V>) {
  let seen: RegisterVersion | null = null;
  const fresh = () => new LRUCache<string, V>({ maxSize, sizeCalculation: (v) => Math.max(1, size(v)) });
  let kept = maxSize > 0 ? fresh() : null;
  let pending = new Map<string, Promise<V>>();
  /** Answers given without working them out (kept, or shared with a computation under way), and worked out. */
  const counts = { hits: 0, misses: 0 };
  const compute = (work: () => Promise<V>) => {
    counts.misses++;
    return work();
  };
  return {
    get(version: RegisterVersion, key: string, work: () => Promise<V>): Promise<V> {
      if (!kept) return compute(work);
      if (!seen || newer(version, seen)) {
        // A new cache rather than clear(): a computation still running for the old version stores into the old one.
        seen = version;
        kept = fresh();
        pending = new Map();
      } else if (newer(seen, version)) {
        return compute(work);
      }
      const hit = kept.get(key) ?? pending.get(key);
      if (hit !== undefined) {
        counts.hits++;
        return Promise.resolve(hit);
      }
      const [into, inFlight] = [kept, pending];
      const answer = compute(work).finally(() => inFlight.delete(key));
      inFlight.set(key, answer);
      answer.then(
        (value) => into.set(key, value),
        () => {},
      );
      return answer;
    },
    /** What it has done since it was made, and the size of what it keeps now. */
    stats: () => ({ ...counts, size: kept?.calculatedSize ?? 0 }),
  };
}
