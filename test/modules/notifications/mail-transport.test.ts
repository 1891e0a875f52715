import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { logTransport, smtpTransport } from '../../../src/modules/notifications/mail-transport.ts';

/** Just enough of an SMTP server (RFC 5321, no extensions) to receive what nodemailer sends. */
async function smtpSink(t: Test, reject = false) {
  const received: string[] = [];
  const server = createServer((socket: Socket) => {
    let data: string | null = null;
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === '.') {
            received.push(data);
            data = null;
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 sink\r\n');
        else if (verb === 'RCPT' && reject) socket.write('550 no such mailbox\r\n');
        else if (verb === 'DATA') {
          data = '';
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, received };
}

t.test('SMTP: the message reaches the server with sender, recipient, subject and text', async (t) => {
  const sink = await smtpSink(t);
  const transport = smtpTransport(sink.url, 'Register <no-reply@example.org>');
  t.teardown(() => transport.close?.());
  await transport.send({ to: 'sam@example.org', subject: 'Your account', text: 'Hello Sam,\n\nSign in to continue.' });
  t.equal(sink.received.length, 1);
  t.match(sink.received[0], /^From: Register <no-reply@example.org>$/m);
  t.match(sink.received[0], /^To: sam@example.org$/m);
  t.match(sink.received[0], /^Subject: Your account$/m);
  t.match(sink.received[0], /Sign in to continue\./);
});

t.test('SMTP: a refused recipient is an error the sender can retry', async (t) => {
  const sink = await smtpSink(t, true);
  const transport = smtpTransport(sink.url, 'no-reply@example.org');
  t.teardown(() => transport.close?.());
  await t.rejects(transport.send({ to: 'gone@example.org', subject: 's', text: 't' }), /550/);
});

t.test('the log transport writes who and what at info, and the text with its link only at debug', async (t) => {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const log = { info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }), debug: (obj: object, msg: string) => void lines.push({ level: 'debug', obj, msg }) };
  const link = 'http://127.0.0.1:3000/account/reset?code=single-use-secret-code';
  await logTransport(log).send({ to: 'sam@example.org', subject: 'Reset your password', text: `Hello Sam,\n\n${link}` });
  const info = lines.filter((l) => l.level === 'info');
  t.same(info, [
    { level: 'info', obj: { mail: { to: 'sam@example.org', subject: 'Reset your password' } }, msg: 'development mail transport (not sent): mail to sam@example.org: Reset your password' },
  ]);
  t.notOk(JSON.stringify(info).includes('single-use-secret-code'), 'no code at info');
  t.match(
    lines.filter((l) => l.level === 'debug'),
    [{ obj: { mail: { text: /single-use-secret-code/ } }, msg: /development mail transport/ }],
    'the text, to follow locally, at debug',
  );
});
