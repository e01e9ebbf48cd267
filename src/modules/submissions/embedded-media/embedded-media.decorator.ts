import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { EmbeddedMedia } from './submission-body.middleware';

/** The recordings submissionBodyMiddleware took out of the body's data URIs ([] when none). */
export const EmbeddedMediaFiles = createParamDecorator(
  (_data: unknown, context: ExecutionContext): EmbeddedMedia[] =>
    context.switchToHttp().getRequest<Request>().embeddedMedia ?? [],
);
