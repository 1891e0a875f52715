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

/** Without SMTP_URL the messages go to the log, so a developer can read (and follow) them. */
export function logTransport(log: { info(obj: object, msg: string): void }): MailTransport {
  return {
    async send(message) {
      log.info({ mail: message }, `mail to ${message.to}: ${message.subject}`);
    },
  };
}
