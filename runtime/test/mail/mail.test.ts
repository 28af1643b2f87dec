import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import {
  EmailMessage, type EmailMessageInit, SmtpBackend, ConsoleBackend, MemoryBackend, DummyBackend, createMailBackend,
  sendMail,
} from '@paddock/runtime/mail';
import { BadHeader, ImproperlyConfigured } from '@paddock/runtime';

interface Received { from: string; to: string[]; data: string; auth: string | null }

/** A minimal SMTP receiver (RFC 5321's happy path plus AUTH PLAIN): no mail server runs in the dev stack. */
async function smtpServer(): Promise<{ stop: () => void; port: number; received: Received[] }> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    let inData = false;
    let cur: Received = { from: '', to: [], data: '', auth: null };
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          received.push(cur);
          cur = { from: '', to: [], data: '', auth: cur.auth };
          sock.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-test\r\n250 AUTH PLAIN\r\n');
        else if (verb === 'AUTH') {
          cur.auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8');
          sock.write('235 ok\r\n');
        } else if (verb === 'MAIL') {
          cur.from = /<(.*)>/.exec(line)?.[1] ?? '';
          sock.write('250 ok\r\n');
        } else if (verb === 'RCPT') {
          cur.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          sock.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          sock.write('354 go\r\n');
        } else if (verb === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const stop = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { stop, port: (server.address() as AddressInfo).port, received };
}

test('the SMTP backend delivers through nodemailer with auth, every recipient, and an HTML alternative', async () => {
  const { stop, port, received } = await smtpServer();
  const backend = createMailBackend(`smtp://mailer:s3cret@127.0.0.1:${port}`, { defaultFrom: 'site@example.com' });
  try {
    const n = await sendMail(backend, {
      subject: 'Réinitialisation du mot de passe',
      body: 'Plain body',
      html: '<p>HTML body</p>',
      to: ['a@example.com'],
      cc: ['c@example.com'],
      bcc: ['hidden@example.com'],
      attachments: [{ filename: 'note.txt', content: 'attached text' }],
    });
    assert.equal(n, 1);
    assert.equal(received.length, 1);
    const msg = received[0]!;
    assert.equal(msg.auth, '\0mailer\0s3cret');
    assert.equal(msg.from, 'site@example.com');
    assert.deepEqual(msg.to.sort(), ['a@example.com', 'c@example.com', 'hidden@example.com']);
    assert.match(msg.data, /^Subject: =\?UTF-8\?/m, 'non-ASCII subject is MIME-encoded');
    assert.match(msg.data, /multipart\/alternative/);
    assert.match(msg.data, /filename=note\.txt/);
    assert.doesNotMatch(msg.data, /hidden@example\.com/, 'Bcc is not in the headers');
  } finally {
    await backend.close();
    stop();
  }
});

test('header injection through subject, addresses or custom headers is refused before sending', () => {
  const base = { subject: 'Hi', body: 'b', to: ['a@example.com'] };
  const attacks: EmailMessageInit[] = [
    { ...base, subject: 'Hi\r\nBcc: victim@example.com' },
    { ...base, subject: 'Hi\nBcc: victim@example.com' },
    { ...base, to: ['a@example.com\r\nBcc: victim@example.com'] },
    { ...base, from: 'me@example.com\nX-Evil: 1' },
    { ...base, replyTo: ['r@example.com\rX: 1'] },
    { ...base, headers: { 'X-Tag': 'ok\r\nBcc: victim@example.com' } },
    { ...base, headers: { 'X-Tag\r\nBcc': 'v' } },
    { ...base, headers: { 'Bad Name': 'v' } },
    { ...base, subject: 'Hi\u2028Bcc: v@example.com' },
  ];
  for (const a of attacks) assert.throws(() => new EmailMessage(a), BadHeader, JSON.stringify(a));
});

test('the console backend prints the MIME message an SMTP server would get', async () => {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => { out += c.toString(); });
  const backend = new ConsoleBackend({ stream, defaultFrom: 'dev@localhost' });
  assert.equal(await backend.send([new EmailMessage({ subject: 'Welcome', body: 'Hello there', to: ['u@example.com'] })]), 1);
  assert.match(out, /^From: dev@localhost$/m);
  assert.match(out, /^To: u@example.com$/m);
  assert.match(out, /^Subject: Welcome$/m);
  assert.match(out, /Hello there/);
});

test('the memory backend keeps sent messages in its outbox and skips messages without recipients', async () => {
  const backend = new MemoryBackend({ defaultFrom: 'x@example.com' });
  const sent = await backend.send([
    new EmailMessage({ subject: 's', body: 'b', to: ['a@example.com'] }),
    new EmailMessage({ subject: 'nobody', body: 'b' }),
  ]);
  assert.equal(sent, 1);
  assert.equal(backend.outbox.length, 1);
  assert.equal(backend.outbox[0]?.from, 'x@example.com');
  assert.equal(await new DummyBackend().send([new EmailMessage({ subject: 's', body: 'b', bcc: ['a@example.com'] })]), 1);
});

test('an unknown mail URL is a configuration error that does not echo the password', () => {
  assert.throws(() => createMailBackend('sendgrid://user:topsecret@host'), (e: unknown) =>
    e instanceof ImproperlyConfigured && !e.message.includes('topsecret'));
  assert.ok(createMailBackend('memory://') instanceof MemoryBackend);
  assert.ok(createMailBackend('console://') instanceof ConsoleBackend);
  assert.ok(createMailBackend('smtp://localhost:25') instanceof SmtpBackend);
});
