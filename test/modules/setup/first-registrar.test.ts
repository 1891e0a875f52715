import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';

const root = new URL('../../../', import.meta.url).pathname;

/** `npm start` as a newcomer runs it, on an embedded database directory; resolves once it listens. */
async function start(t: Test, dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', COMPLIANCE_CRON: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /listening on (http:\/\/[^\s"]+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${lines.join('\n')}`)));
  });
  // The setup line is written as the server starts listening; give the log a moment to flush.
  await fetch(`${url}/health`);
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { url, lines, stop };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

t.test('a newcomer creates the first registrar from the link the running server prints', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'register-setup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = await start(t, dir);
  const logged = server.lines.map((l) => (l.startsWith('{') ? JSON.parse(l) : {})).find((l) => l.setupUrl);
  t.ok(logged, 'the server printed a setup link');
  const link = new URL(logged.setupUrl as string);
  t.equal(link.origin, server.url, 'on the address it listens on');
  const code = link.searchParams.get('code')!;

  const page = await fetch(link);
  t.equal(page.status, 200);
  t.equal(page.headers.get('cache-control'), 'no-store');
  t.match(await page.text(), /Set up the first registrar/);
  t.equal((await fetch(`${server.url}/setup?code=guess`)).status, 410, 'a guessed token shows no form');

  const password = 'a long registrar passphrase';
  const mismatch = await fetch(`${server.url}/setup`, form({ code, fullName: 'Rea Registrar', email: 'rea@register.example.org', password, confirm: 'something else entirely' }));
  t.equal(mismatch.status, 400);
  const again = await mismatch.text();
  t.match(again, /must match the password/);
  t.notMatch(again, new RegExp(password), 'the password is never sent back');
  t.match(again, /value="rea@register.example.org"/, 'what was typed is kept');

  const own = await fetch(
    `${server.url}/setup`,
    form({ code, fullName: 'Rea Registrar', email: 'rea.registrar@register.example.org', password: 'rea.registrar@register.example.org', confirm: 'rea.registrar@register.example.org' }),
  );
  t.equal(own.status, 400, 'a password made of the email is refused');
  t.match(await own.text(), /It contains your own name or email address/);

  const made = await fetch(`${server.url}/setup`, form({ code, fullName: 'Rea Registrar', email: 'rea@register.example.org', password, confirm: password }));
  t.equal(made.status, 201);
  t.match(await made.text(), /The first registrar is set up/);

  const login = await fetch(`${server.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'rea@register.example.org', password }) });
  t.equal(login.status, 200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  t.match(await me.json(), { role: 'registrar', email: 'rea@register.example.org' });

  t.equal((await fetch(link)).status, 410, 'the link works once');
  const replay = await fetch(`${server.url}/setup`, form({ code, fullName: 'Mallory', email: 'mallory@example.org', password, confirm: password }));
  t.equal(replay.status, 410, 'a replayed form creates nothing');
  t.notOk(
    server.lines.some((l) => l.includes(password)),
    'the password is never logged',
  );
  t.equal(await server.stop(), 0);

  const restarted = await start(t, dir);
  t.notOk(
    restarted.lines.some((l) => l.includes('setupUrl')),
    'with a registrar, no link is printed',
  );
  t.equal((await fetch(`${restarted.url}/setup?code=${code}`)).status, 410);
  await restarted.stop();
});
