import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.ts';

/**
 * Mail over SMTP. nodemailer reads the URL: `smtps://` is TLS from the first byte (port 465),
 * `smtp://` upgrades with STARTTLS when the server offers it (`?requireTLS=true` insists);
 * credentials go in the URL's user and password.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl, { from });
  return {
    kind: 'smtp',
    async send(message: MailMessage) {
      const info = await transport.sendMail({ ...message, from });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
