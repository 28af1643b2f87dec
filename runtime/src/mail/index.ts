// The mail battery: build an EmailMessage, hand it to the backend the EMAIL_URL names.
import { ImproperlyConfigured } from '../errors.js';
import { ConsoleBackend, DummyBackend, MemoryBackend, SmtpBackend, type BackendOptions, type MailBackend } from './backends.js';
import { EmailMessage, type EmailMessageInit } from './message.js';

export { EmailMessage, type EmailMessageInit, type Attachment } from './message.js';
export { SmtpBackend, ConsoleBackend, MemoryBackend, DummyBackend, type MailBackend, type BackendOptions } from './backends.js';

/** smtp://user:pass@host:587, smtps://user:pass@host:465, console://, memory://, dummy://. */
export function createMailBackend(url: string, options: BackendOptions = {}): MailBackend {
  const scheme = url.slice(0, url.indexOf(':'));
  switch (scheme) {
    case 'smtp':
    case 'smtps':
      return new SmtpBackend(url, options);
    case 'console':
      return new ConsoleBackend(options);
    case 'memory':
      return new MemoryBackend(options);
    case 'dummy':
      return new DummyBackend();
    default:
      throw new ImproperlyConfigured(`No mail backend for '${url.replace(/\/\/[^@/]*@/, '//***@')}'. Use smtp://, smtps://, console://, memory:// or dummy://.`);
  }
}

/** Django's send_mail: one message to a list of recipients; returns how many messages went out (0 or 1). */
export async function sendMail(backend: MailBackend, message: EmailMessageInit): Promise<number> {
  return backend.send([new EmailMessage(message)]);
}
