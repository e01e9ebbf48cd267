import { Module } from '@nestjs/common';
import { MailDeliveryService } from './mail-delivery.service';
import { MailTransport } from './mail-transport';
import { MailRepository } from './mail.repository';
import { MailService } from './mail.service';

@Module({
  providers: [MailService, MailRepository, MailTransport, MailDeliveryService],
  exports: [MailService],
})
export class MailModule {}
