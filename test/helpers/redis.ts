import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { Test } from 'tap';

const BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** The test Redis (TEST_REDIS_URL, default the local one) when it answers, else null (skip those tests). */
export async function testRedis(): Promise<string | null> {
  const probe = new Redis(BASE, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return BASE;
  } catch {
    return null;
  } finally {
    probe.disconnect();
  }
}

export const noRedis = `no Redis at ${BASE} (set TEST_REDIS_URL)`;

/**
 * A REDIS_URL for one test: the test Redis with a key prefix of its own (ioredis reads `keyPrefix`
 * from the URL), so parallel tests and earlier runs never share a counter. Its keys are deleted
 * when the test ends. `redis` is a client without the prefix, to look at them.
 */
export function isolatedRedisUrl(t: Test, base: string) {
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  const url = new URL(base);
  url.searchParams.set('keyPrefix', prefix);
  const admin = new Redis(base);
  t.teardown(async () => {
    const left = await admin.keys(`${prefix}*`);
    if (left.length) await admin.del(...left);
    admin.disconnect();
  });
  return { url: url.toString(), prefix, redis: admin };
}

/** A Redis URL on a local port nothing listens on: connections are refused at once. */
export async function unreachableRedisUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}
