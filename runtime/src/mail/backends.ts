// Where mail goes: SMTP through nodemailer in production, the console in development, an in-memory outbox in tests.
import type { Writable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { EmailMessage } from './message.js';

export interface MailBackend {
  /** Sends each message; returns how many were sent (messages without recipients are skipped). */
  send(messages: readonly EmailMessage[]): Promise<number>;
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Used when a message has no From (Django's DEFAULT_FROM_EMAIL). */
  defaultFrom?: string;
}

const DEFAULT_FROM = 'webmaster@localhost';

function toNodemailer(m: EmailMessage, defaultFrom: string): Mail.Options {
  return {
    from: m.from ?? defaultFrom,
    to: [...m.to],
    cc: [...m.cc],
    bcc: [...m.bcc],
    replyTo: [...m.replyTo],
    subject: m.subject,
    text: m.body,
    ...(m.html !== undefined ? { html: m.html } : {}),
    headers: { ...m.headers },
    attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content, ...(a.contentType ? { contentType: a.contentType } : {}) })),
    // Never let nodemailer read files or URLs named in a message: content is always given inline.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export class SmtpBackend implements MailBackend {
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;
  readonly #defaultFrom: string;

  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...:465`, or nodemailer's SMTP options. */
  constructor(connection: string | SMTPTransport.Options, options: BackendOptions = {}) {
    this.#transport = nodemailer.createTransport(connection as SMTPTransport.Options);
    this.#defaultFrom = options.defaultFrom ?? DEFAULT_FROM;
  }

  async send(messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    for (const m of messages) {
      if (m.recipients().length === 0) continue;
      await this.#transport.sendMail(toNodemailer(m, this.#defaultFrom));
      sent++;
    }
    return sent;
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

/** Writes each message as the raw MIME text an SMTP server would receive. */
export class ConsoleBackend implements MailBackend {
  readonly #stream: Writable;
  readonly #defaultFrom: string;
  readonly #composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(options: BackendOptions & { stream?: Writable } = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#defaultFrom = options.defaultFrom ?? DEFAULT_FROM;
  }

  async send(messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    for (const m of messages) {
      if (m.recipients().length === 0) continue;
      const info = await this.#composer.sendMail(toNodemailer(m, this.#defaultFrom));
      const raw = Buffer.isBuffer(info.message) ? info.message.toString('utf8') : String(info.message);
      this.#stream.write(`${raw}\n${'-'.repeat(79)}\n`);
      sent++;
    }
    return sent;
  }

  async close(): Promise<void> {}
}

/** Keeps sent messages in `outbox` (Django's locmem backend): what tests assert on. */
export class MemoryBackend implements MailBackend {
  readonly outbox: EmailMessage[] = [];
  readonly #defaultFrom: string;

  constructor(options: BackendOptions = {}) {
    this.#defaultFrom = options.defaultFrom ?? DEFAULT_FROM;
  }

  async send(messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    for (const m of messages) {
      if (m.recipients().length === 0) continue;
      m.from ??= this.#defaultFrom;
      this.outbox.push(m);
      sent++;
    }
    return sent;
  }

  async close(): Promise<void> {}
}

export class DummyBackend implements MailBackend {
  async send(messages: readonly EmailMessage[]): Promise<number> {
    return messages.filter((m) => m.recipients().length > 0).length;
  }

  async close(): Promise<void> {}
}
