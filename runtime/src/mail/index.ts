// The mail battery: build an EmailMessage, hand it to the backend the EMAIL_URL names.
import { ImproperlyConfigured } from '../errors.js';
import { currentSite } from '../site/current.js';
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

let replaced: MailBackend | null = null;
const bySetting = new Map<string, MailBackend>();

/**
 * The site's mail backend: the one its EMAIL_URL setting names (console:// unless set; DEFAULT_FROM_EMAIL for
 * messages without a From), made once per URL. Under `paddock test` it is the outbox of @paddock/runtime/test.
 */
export function mailBackend(): MailBackend {
  if (replaced) return replaced;
  const settings = currentSite().settings;
  const key = `${settings.EMAIL_URL}\0${settings.DEFAULT_FROM_EMAIL}`;
  let backend = bySetting.get(key);
  if (!backend) {
    backend = createMailBackend(settings.EMAIL_URL, { defaultFrom: settings.DEFAULT_FROM_EMAIL });
    bySetting.set(key, backend);
  }
  return backend;
}

/** Puts `backend` in place of the one EMAIL_URL names (null: back to EMAIL_URL); the test runner's outbox. */
export function replaceMailBackend(backend: MailBackend | null): void {
  replaced = backend;
}

/**
 * Django's send_mail: one message to a list of recipients, through the site's mail backend or the one given;
 * returns how many messages went out (0 or 1).
 */
export async function sendMail(message: EmailMessageInit): Promise<number>;
export async function sendMail(backend: MailBackend, message: EmailMessageInit): Promise<number>;
export async function sendMail(first: MailBackend | EmailMessageInit, message?: EmailMessageInit): Promise<number> {
  const [backend, init] = message === undefined ? [mailBackend(), first as EmailMessageInit] : [first as MailBackend, message];
  return backend.send([new EmailMessage(init)]);
}
