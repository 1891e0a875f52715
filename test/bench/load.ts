import autocannon from 'autocannon';

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
  rounds: number;
}

/** Medians over the measured rounds; latencies in milliseconds. */
export interface LoadFigures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses outside 2xx and socket errors, summed over the measured rounds: a figure with any is suspect. */
  failures: number;
  /** Requests answered in every round, the warm-up included. */
  totalRequests: number;
}

export type LoadTarget = Pick<autocannon.Options, 'url' | 'requests' | 'method' | 'headers' | 'body' | 'setupClient'>;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** A warm-up round (discarded), then `rounds` measured rounds at `connections` connections. */
export async function measureLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadFigures> {
  const run = (seconds: number) => autocannon({ ...target, connections: settings.connections, duration: seconds });
  const warmUp = await run(settings.warmupSeconds);
  const results: autocannon.Result[] = [];
  for (let i = 0; i < settings.rounds; i++) results.push(await run(settings.seconds));
  return {
    reqPerSec: Math.round(median(results.map((r) => r.requests.average))),
    p50Ms: median(results.map((r) => r.latency.p50)),
    p99Ms: median(results.map((r) => r.latency.p99)),
    failures: results.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
    totalRequests: [warmUp, ...results].reduce((n, r) => n + r.requests.total, 0),
  };
}

/** Milliseconds `fn` took, and what it returned. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

/** The median of `rounds` measurements; each round times only what it chooses to (not its set-up). */
export async function medianOfRounds(rounds: number, round: (i: number) => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) xs.push(await round(i));
  return median(xs);
}
