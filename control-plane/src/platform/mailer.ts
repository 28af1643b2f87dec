// Outgoing mail (password resets, invitations) through nodemailer: SMTP when PADDOCK_SMTP_URL is
// set, otherwise nodemailer's JSON transport, logged, and kept in `sent` so a developer finds
// the link in the logs and tests read it from there.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  /** The last messages sent through the JSON transport (empty with SMTP). */
  readonly sent: Mail[];
}

export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, logger: Logger): Mailer {
  const smtp = config.smtpUrl !== '';
  const transport: Transporter = smtp ? nodemailer.createTransport(config.smtpUrl) : nodemailer.createTransport({ jsonTransport: true });
  const sent: Mail[] = [];
  return {
    sent,
    async send(mail) {
      const info = await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
      if (!smtp) {
        const message = JSON.parse(String((info as { message: unknown }).message)) as { to: { address: string }[]; subject: string; text: string };
        const kept = { to: message.to[0]?.address ?? mail.to, subject: message.subject, text: message.text };
        sent.push(kept);
        if (sent.length > 100) sent.shift();
        logger.info({ mail: kept }, 'mail (not sent: no PADDOCK_SMTP_URL)');
      }
    },
  };
}
