/** One hit on a shared counter. */
export interface Hit {
  /** Hits on the key in its current window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again. */
  ttlMs: number;
}

/**
 * Fixed-window counters that every instance of the API shares, so a limit holds across all of
 * them rather than once per process. A window starts at a key's first hit and lasts `windowMs`;
 * each hit counts and reads in one atomic round trip, so concurrent hits never see the same count.
 * Implementations: pg-counter-store.ts (PostgreSQL or PGlite), redis-counter-store.ts.
 */
export interface CounterStore {
  hit(key: string, windowMs: number): Promise<Hit>;
  /** The key's count in its live window, without counting (0 when it has none). */
  peek(key: string): Promise<number>;
  /** Forgets the key's count (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}
