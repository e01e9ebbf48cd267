import { Module } from '@nestjs/common';
import { WebPagesController } from './web-pages.controller';
import { WebPagesService } from './web-pages.service';

/** `/proctor` and `/take/{token}`: two static pages and their files (no framework, no build step). */
@Module({ controllers: [WebPagesController], providers: [WebPagesService] })
export class WebPagesModule {}
