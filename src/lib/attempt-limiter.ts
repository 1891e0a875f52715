import type { Clock } from './clock.ts';

/**
 * Counts failures per key in a fixed window (in this process). Guards one account against
 * password guessing spread over many addresses, which a per-IP request limit cannot see.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Seconds until the key may try again, or 0 if it may try now. */
  retryAfter(key: string): number {
    const w = this.windows.get(key);
    const now = this.clock().getTime();
    if (!w || w.resetAt <= now) return 0;
    return w.failures >= this.maxFailures ? Math.ceil((w.resetAt - now) / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.clock().getTime();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      if (this.windows.size > 10_000) this.prune(now);
      this.windows.set(key, { failures: 1, resetAt: now + this.windowMs });
    } else {
      w.failures++;
    }
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}
