import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { AppConfigService } from '../../config/app-config.service';

export interface OutgoingEmail {
  /** The outbox row's id: the Message-ID and the .eml file name derive from it. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export type DeliveryReceipt = { via: 'smtp'; messageId: string } | { via: 'file'; path: string };

/** An SMTP server that never answers must not hold a delivery (and its outbox row lock) for minutes. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Delivers one e-mail: over SMTP (nodemailer) when `SMTP_URL` is set, otherwise as an RFC 822 `.eml` file in
 * `MAIL_OUTBOX_DIR` (created if missing). The SMTP URL carries credentials: it is never logged nor put in an error.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private smtp: Transporter<SMTPTransport.SentMessageInfo> | null = null;
  private readonly fileWriter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  constructor(private readonly config: AppConfigService) {}

  async deliver(email: OutgoingEmail): Promise<DeliveryReceipt> {
    const { smtpUrl, from } = this.config.values.mail;
    const message = {
      from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: `<${email.id}@${senderDomain(from)}>`,
    };
    if (smtpUrl) {
      this.smtp ??= nodemailer.createTransport(new SMTPTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }));
      const info = await this.smtp.sendMail(message);
      return { via: 'smtp', messageId: info.messageId };
    }
    const dir = resolve(this.config.values.mail.outboxDir);
    await mkdir(dir, { recursive: true });
    const { message: bytes } = await this.fileWriter.sendMail(message);
    const path = join(dir, `${email.id}.eml`);
    await writeFile(path, bytes as Buffer);
    this.logger.log({ outboxId: email.id, path }, 'E-mail written to the outbox folder (SMTP_URL is not set)');
    return { via: 'file', path };
  }

  onModuleDestroy(): void {
    this.smtp?.close();
  }
}

/** The domain of MAIL_FROM ("Name <no-reply@example.com>" → example.com), for Message-IDs. */
function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match ? match[1] : 'localhost';
}
