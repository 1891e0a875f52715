import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

/** The lock itself. Never delete it by hand while anything may run on the directory. */
const LOCK_FILE = 'register.lock.sqlite';
/**
 * Who holds the lock, for the refusal message only: `<pid> <hostname> <since>`. Its first word is
 * the pid, as in the pid file earlier builds kept under this name, so an earlier build started on
 * the directory still refuses while a holder it can see runs.
 */
const NOTE_FILE = 'register.lock';
const SQLITE_BUSY = 5;

// A DatabaseSync closes, dropping its lock, when it is garbage-collected: hold every lock here.
const held = new Set<DatabaseSync>();

/**
 * PGlite is single-process: two processes writing one directory corrupt it. The guard is an OS
 * lock: SQLite's unix VFS takes a POSIX record lock (fcntl) on LOCK_FILE, kept by a transaction
 * left open. Neither a pid file nor a heartbeat would do:
 * - In Docker node is PID 1 on every start, so a pid file left by a SIGKILL or an OOM kill names a
 *   live process (the new one, or another container's PID 1 on a shared volume). The kernel drops
 *   a record lock the moment its holder dies, however it dies, whatever its PID or PID namespace:
 *   a restart never waits, and a live holder in any namespace on this host is always seen.
 * - A heartbeat lock (proper-lockfile refreshes a directory's mtime from timers) needs the event
 *   loop, and PGlite blocks it in WASM for many seconds (10-30 s measured on a busy 2-CPU host:
 *   initdb of a new directory, opening one holding 20,000 seeded mediators). Its stale timeout
 *   would have to be minutes for a live holder never to look dead (or to crash itself with a
 *   compromised lock), and every restart after a crash would wait that long.
 * Caveats: the holder must never open LOCK_FILE any other way, since closing any descriptor of a
 * file drops the process's record locks on it; and a directory shared by several hosts over NFS
 * is only guarded if NFS locking works.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const note = join(dataDir, NOTE_FILE);
  const lock = takeLock(dataDir, note);
  held.add(lock);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // The note goes first: once the lock is dropped, the note belongs to the next holder.
    rmSync(note, { force: true });
    lock.close();
    held.delete(lock);
  };
}

/** node:sqlite, loaded when a directory is locked: on an older Node the message says what to do, not a module error at import. */
function sqlite(): typeof import('node:sqlite') {
  const mod = process.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined;
  if (!mod) throw new DataDirLockedError(`The embedded database needs Node.js 22.13 or later (this is ${process.version}); install Node 24 LTS, or set DATABASE_URL to use PostgreSQL.`);
  return mod;
}

function takeLock(dataDir: string, note: string): DatabaseSync {
  const { DatabaseSync } = sqlite();
  let lock: DatabaseSync | undefined;
  try {
    lock = new DatabaseSync(join(dataDir, LOCK_FILE));
    lock.exec('BEGIN EXCLUSIVE');
    const tmp = `${note}.tmp`;
    writeFileSync(tmp, `${process.pid} ${hostname()} ${new Date().toISOString()}\n`);
    renameSync(tmp, note);
    return lock;
  } catch (err) {
    lock?.close();
    if ((err as { errcode?: number }).errcode === SQLITE_BUSY) {
      throw new DataDirLockedError(`The data directory ${dataDir} is in use by another process${describeHolder(note)}. Stop it first, or use the admin endpoints of the running server.`);
    }
    throw new Error(`Cannot lock the data directory ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
}

function describeHolder(note: string): string {
  let text: string;
  try {
    text = readFileSync(note, 'utf8').trim();
  } catch {
    return ''; // the holder is between taking the lock and writing its note
  }
  const [pid, host, since] = text.split(' ');
  if (!pid) return '';
  return ` (pid ${pid}${host ? ` on host ${host}` : ''}${since ? `, since ${since}` : ''})`;
}
