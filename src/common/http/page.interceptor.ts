import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { Page } from './pagination';

function isPage(value: unknown): value is Page<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Page<unknown>).items) &&
    typeof (value as Page<unknown>).total === 'number'
  );
}

/**
 * Sends a list handler's returned `Page<T>` as its items, with the whole count in X-Total-Count (README "API
 * conventions"), so the handler is one line. Applied by `@Endpoint({ ok: PageOf(T) })`.
 */
@Injectable()
export class PageInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value: unknown) => {
        if (!isPage(value))
          throw new Error(`${context.getClass().name}.${context.getHandler().name} must return a Page`);
        context.switchToHttp().getResponse<Response>().setHeader('X-Total-Count', String(value.total));
        return value.items;
      }),
    );
  }
}
