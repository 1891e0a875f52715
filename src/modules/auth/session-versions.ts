import pg from 'pg';
import type { Database } from '../../db/client.ts';
import { sessionStateOf } from './accounts-repository.ts';
import type { SessionCheck, SessionState } from '../../lib/access-token.ts';

/** The channel the users trigger announces `<userId> <version>` on, at commit, whenever a version moves. */
export const SESSIONS_CHANNEL = 'register_sessions';

/** `current` answers from memory while announcements are heard. */
export interface SessionVersions extends SessionCheck {
  /**
   * Drops what is remembered of an account. Called by this instance after committing a change, so
   * its own next request never depends on how soon the announcement arrives.
   */
  forget(userId: string): void;
  close(): Promise<void>;
}

export interface SessionVersionsOptions {
  /** Accounts remembered at most; the oldest are forgotten first. */
  maxEntries?: number;
  /** Longest an entry is used without reading it again: a bound on staleness should an announcement be lost unnoticed. */
  maxAgeMs?: number;
  /** First and longest wait before listening again after the connection drops (doubling in between). */
  retryMs?: { first: number; max: number };
  onError?: (err: unknown) => void;
}

/**
 * Session versions, cached per instance and kept fresh by LISTEN, so checking a token costs no
 * database round trip. While the listener is down nothing is cached (every check reads the
 * database), and every (re)connection starts from an empty cache: a missed announcement can never
 * leave a demoted or disabled account its old powers.
 */
export function createSessionVersions(database: Database, opts: SessionVersionsOptions = {}): SessionVersions {
  const { maxEntries = 10_000, maxAgeMs = 60_000, retryMs = { first: 200, max: 10_000 }, onError = () => {} } = opts;
  const cache = new Map<string, SessionState & { readAt: number }>();
  let trusted = false;
  // Moves on every announcement and every change of listening: a read begun before one may be stale
  // and is used for its request but not remembered.
  let generation = 0;
  const invalidate = (userId?: string) => {
    generation++;
    if (userId === undefined) cache.clear();
    else cache.delete(userId);
  };
  const setTrusted = (on: boolean) => {
    invalidate();
    trusted = on;
  };
  // An announcement that names no account (none should) forgets them all.
  const announced = (payload: string | undefined) => invalidate(payload?.split(' ')[0] || undefined);

  const stopListening = database.pglite ? listenOnPglite(database, announced, setTrusted, onError) : listenOnPostgres(database.pool!, announced, setTrusted, onError, retryMs);

  async function read(userId: string): Promise<SessionState | null> {
    // Only a holder of the signing secret could send another `sub`; it names no account either way.
    if (!UUID.test(userId)) return null;
    const row = await sessionStateOf(database.db, userId);
    return row ? { version: row.version, disabled: row.disabledAt !== null } : null;
  }

  return {
    async current(userId) {
      const hit = cache.get(userId);
      if (hit && performance.now() - hit.readAt < maxAgeMs) return hit;
      const started = generation;
      const state = await read(userId);
      if (state && trusted && started === generation) {
        cache.delete(userId);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(userId, { ...state, readAt: performance.now() });
      }
      return state;
    },
    forget: (userId) => invalidate(userId),
    async close() {
      setTrusted(false);
      await stopListening();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Announced = (payload: string | undefined) => void;
type SetTrusted = (on: boolean) => void;

/** PGlite runs in this process: its notifications cannot be lost once the LISTEN is in place. */
function listenOnPglite(database: Database, announced: Announced, setTrusted: SetTrusted, onError: (err: unknown) => void) {
  const subscribed = database.pglite!.listen(SESSIONS_CHANNEL, announced).then(
    (unlisten) => {
      setTrusted(true);
      return unlisten;
    },
    (err: unknown) => {
      onError(err);
      return undefined;
    },
  );
  return async () => {
    const unlisten = await subscribed;
    // The database may already be closed (then there is nothing left to stop).
    await unlisten?.().catch(() => {});
  };
}

/**
 * A connection of its own (a pooled one is handed to other work and may be recycled), opened with
 * the pool's settings; when it drops, the cache is distrusted at once and listening starts again
 * after a doubling wait.
 */
function listenOnPostgres(pool: pg.Pool, announced: Announced, setTrusted: SetTrusted, onError: (err: unknown) => void, retryMs: { first: number; max: number }) {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let wait = retryMs.first;

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    setTrusted(false);
    c.end().catch(() => {});
    if (closed) return;
    retry = setTimeout(connect, wait);
    retry.unref();
    wait = Math.min(wait * 2, retryMs.max);
  };

  const connect = async () => {
    retry = undefined;
    const c = new pg.Client({
      ...pool.options,
      application_name: 'send-mediator-register sessions',
      keepAlive: true,
      connectionTimeoutMillis: pool.options.connectionTimeoutMillis || 10_000,
    });
    client = c;
    c.on('error', (err) => {
      onError(err);
      lost(c);
    });
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === SESSIONS_CHANNEL) announced(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${SESSIONS_CHANNEL}`);
    } catch (err) {
      if (client === c) onError(err);
      lost(c);
      return;
    }
    if (client !== c) {
      await c.end().catch(() => {});
      return;
    }
    wait = retryMs.first;
    setTrusted(true);
  };

  void connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
