import type { Readable } from 'node:stream';

export type MailAttachment = { filename: string; contentType: string; content: Readable | string };

export type MailMessage = {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
};

/** Where mail goes (docs/conventions.md item 5): SMTP when `SMTP_URL` is set, else the file outbox. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  /** Resolves once the message is accepted (by the SMTP server, or written to the outbox). */
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}
