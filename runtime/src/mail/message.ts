// An e-mail to send (Django's EmailMessage / EmailMultiAlternatives). Headers are checked for line breaks when the
// message is built, so that user input in a subject or address can never add headers or recipients.
import { BadHeader } from '../errors.js';

export interface Attachment {
  filename: string;
  content: string | Buffer;
  contentType?: string;
}

export interface EmailMessageInit {
  subject: string;
  /** The plain-text body. */
  body: string;
  /** Defaults to the backend's DEFAULT_FROM_EMAIL. */
  from?: string;
  to?: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  replyTo?: readonly string[];
  /** An HTML alternative to the text body. */
  html?: string;
  headers?: Readonly<Record<string, string>>;
  attachments?: readonly Attachment[];
}

const LINE_BREAK = /[\r\n\u2028\u2029\u0085]/;
const HEADER_NAME = /^[!-9;-~]+$/; // printable ASCII without ':' (RFC 5322 field-name)

function checkHeader(name: string, value: string): void {
  if (LINE_BREAK.test(value)) throw new BadHeader(name);
}

export class EmailMessage {
  readonly subject: string;
  readonly body: string;
  from: string | undefined;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo: readonly string[];
  readonly html: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly attachments: readonly Attachment[];

  constructor(init: EmailMessageInit) {
    this.subject = init.subject;
    this.body = init.body;
    this.from = init.from;
    this.to = [...(init.to ?? [])];
    this.cc = [...(init.cc ?? [])];
    this.bcc = [...(init.bcc ?? [])];
    this.replyTo = [...(init.replyTo ?? [])];
    this.html = init.html;
    this.headers = { ...init.headers };
    this.attachments = [...(init.attachments ?? [])];
    checkHeader('Subject', this.subject);
    if (this.from !== undefined) checkHeader('From', this.from);
    for (const [field, list] of [['To', this.to], ['Cc', this.cc], ['Bcc', this.bcc], ['Reply-To', this.replyTo]] as const) {
      for (const addr of list) checkHeader(field, addr);
    }
    for (const [name, value] of Object.entries(this.headers)) {
      if (!HEADER_NAME.test(name)) throw new BadHeader(name);
      checkHeader(name, value);
    }
    for (const a of this.attachments) checkHeader('attachment filename', a.filename);
  }

  /** Everyone who receives it: To, Cc and Bcc. */
  recipients(): string[] {
    return [...this.to, ...this.cc, ...this.bcc];
  }
}
