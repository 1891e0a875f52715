import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Where the outbox sender hands messages: SMTP in production, the log otherwise, a fake in tests. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close?(): void;
}

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send({ to, subject, text }) {
      await transporter.sendMail({ from, to, subject, text });
    },
    close: () => transporter.close(),
  };
}

/**
 * Development only (MAIL_TRANSPORT=log): messages go to the log. At info only who and what, since
 * messages carry sign-in links and codes; the text, to follow a link locally, at debug.
 */
export function logTransport(log: { info(obj: object, msg: string): void; debug(obj: object, msg: string): void }): MailTransport {
  return {
    async send({ to, subject, text }) {
      log.info({ mail: { to, subject } }, `development mail transport (not sent): mail to ${to}: ${subject}`);
      log.debug({ mail: { to, subject, text } }, `development mail transport (not sent): text of the mail to ${to}`);
    },
  };
}
