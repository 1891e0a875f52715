import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';

const root = new URL('../../', import.meta.url).pathname;
// Each server runs on a PGlite directory: the first creates and migrates it and shuts down cleanly,
// the others start from copies of it (initdb for each would be most of this file's time).
const scratch = mkdtempSync(join(tmpdir(), 'register-shutdown-'));
const base = join(scratch, 'base');
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
let copies = 0;
const copyOfBase = () => {
  const dir = join(scratch, `copy${++copies}`);
  cpSync(base, dir, { recursive: true });
  return dir;
};

interface Server {
  child: ChildProcess;
  url: URL;
  exited: Promise<number | null>;
  /** The JSON log lines written since `from` (an index into everything logged). */
  logged(from?: number): Record<string, unknown>[];
  /** Resolves once a log line matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<void>;
}

/** `node --import tsx src/server.ts` on a PGlite directory; resolves once it listens. */
async function startServer(t: Test, dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', COMPLIANCE_CRON: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: () => void }> = [];
  let partial = '';
  let raw = '';
  const onData = (d: Buffer) => {
    raw += d.toString();
    partial += d.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        line = { text };
      }
      lines.push(line);
      for (const w of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitFor = (match: (l: Record<string, unknown>) => boolean) =>
    lines.some(match)
      ? Promise.resolve()
      : Promise.race([new Promise<void>((resolve) => waiters.push({ match, resolve })), exited.then((code) => Promise.reject(new Error(`server exited (${code}) first:\n${raw}`)))]);
  await waitFor((l) => typeof l.msg === 'string' && l.msg.includes('listening on'));
  const listening = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('listening on'))!;
  const url = new URL(/listening on (http:\/\/\S+)/.exec(String(listening.msg))![1]!);
  return { child, url, exited, logged: (from = 0) => lines.slice(from), waitFor };
}

/**
 * A request the server has received but whose body it still waits for: in flight until `finish`.
 * `Expect: 100-continue` makes the server say when it has taken the request in.
 */
async function holdRequest(url: URL): Promise<{ finish(): Promise<string> }> {
  const body = JSON.stringify({ email: 'nobody@example.org', password: 'not the password' });
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  let answer = '';
  const taken = new Promise<void>((resolve) => socket.on('data', (d) => (answer += d.toString()).includes('100 Continue') && resolve()));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`POST /v1/auth/login HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
  await taken;
  return {
    async finish() {
      // Not end(): a client that half-closes has its request aborted by Node's HTTP server.
      socket.write(body);
      await ended;
      return answer.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
    },
  };
}

const isShuttingDown = (l: Record<string, unknown>) => l.msg === 'shutting down';

// Three servers started one after another on a busy machine take a while.
t.setTimeout(600_000);

t.test('SIGTERM: the request in flight is answered, then the process exits 0 after one log line', async (t) => {
  const server = await startServer(t, base);
  t.equal((await fetch(new URL('/health', server.url))).status, 200);
  const held = await holdRequest(server.url);
  const from = server.logged().length;
  server.child.kill('SIGTERM');
  await server.waitFor(isShuttingDown);
  const answer = await held.finish();
  t.match(answer, /^HTTP\/1\.1 401 /, 'the login in flight was still answered (wrong password)');
  t.match(answer, /\r\nconnection: close\r\n/i, 'on a connection the server then ends (not left open until its keep-alive timeout)');
  t.equal(await server.exited, 0, 'clean exit');
  const after = server.logged(from);
  t.equal(after.filter(isShuttingDown).length, 1, 'one shutdown line');
  t.match(after.find(isShuttingDown), { level: 30, signal: 'SIGTERM' });
  t.same(
    after.filter((l) => Number(l.level) >= 50 || 'text' in l),
    [],
    'no errors, nothing but JSON lines',
  );
});

t.test('a second signal while closing exits at once, non-zero', async (t) => {
  const server = await startServer(t, copyOfBase());
  // The held request keeps the close from finishing (until the default 10 s timeout).
  await holdRequest(server.url);
  const from = server.logged().length;
  server.child.kill('SIGTERM');
  await server.waitFor(isShuttingDown);
  server.child.kill('SIGINT');
  t.equal(await server.exited, 1, 'exited on the second signal');
  t.match(
    server.logged(from).filter((l) => Number(l.level) >= 50),
    [{ signal: 'SIGINT', msg: /second signal/ }],
    'and said why',
  );
});

t.test('a shutdown that outlasts SHUTDOWN_TIMEOUT_MS is cut short, non-zero', async (t) => {
  const server = await startServer(t, copyOfBase(), { SHUTDOWN_TIMEOUT_MS: '500' });
  await holdRequest(server.url);
  const from = server.logged().length;
  server.child.kill('SIGTERM');
  t.equal(await server.exited, 1, 'exited on the timeout');
  t.match(
    server.logged(from).filter((l) => Number(l.level) >= 50),
    [{ delay: 500, msg: /took too long/ }],
  );
});
