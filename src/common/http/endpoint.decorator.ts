import { applyDecorators, HttpCode, Type, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiOperation,
  ApiResponse,
  ApiResponseNoStatusOptions,
  ApiTags,
} from '@nestjs/swagger';
import { Public, Roles } from '../auth/decorators';
import { Role, ROLES } from '../auth/roles';
import { ApiErrors } from './api-errors';
import { PageInterceptor } from './page.interceptor';
import { TOTAL_COUNT_HEADER } from './pagination';

/** A list response: the handler returns a `Page<T>`, the client gets `T[]` and X-Total-Count. */
class PageOf<T = unknown> {
  constructor(readonly type: Type<T>) {}
}

/** `ok: pageOf(UserResponse)`: the handler returns a Page of UserResponse. */
export const pageOf = <T>(type: Type<T>): PageOf<T> => new PageOf(type);

/** Who may call an operation. */
export type EndpointAccess =
  /** Only these roles (403 INSUFFICIENT_ROLE for the others). */
  | readonly Role[]
  /** Any signed-in user, whatever the role. */
  | 'any'
  /** No token needed (opts out of the global authentication guard). */
  | 'public';

export interface EndpointOptions {
  roles: EndpointAccess;
  summary: string;
  description?: string;
  /**
   * The success response: a response class, `[Class]` for an array, `pageOf(Class)` for a list (the handler then
   * returns a Page), or full response options (a schema, a description). Omitted with `okStatus: 204`.
   */
  ok?: Type<unknown> | [Type<unknown>] | PageOf | ApiResponseNoStatusOptions;
  /** The success status, 200 unless given (a POST that creates says 201); sets @HttpCode. */
  okStatus?: 200 | 201 | 204;
  /** The error statuses the route answers besides those every route documents (see api-errors.ts). */
  errors: number[];
  tags?: string[];
}

function okResponse(ok: EndpointOptions['ok'], status: number): ApiResponseNoStatusOptions & { status: number } {
  if (ok === undefined) return { status, description: status === 204 ? 'No content' : 'Success' };
  if (ok instanceof PageOf) return { status, type: [ok.type], headers: TOTAL_COUNT_HEADER };
  if (Array.isArray(ok) || typeof ok === 'function') return { status, type: ok as Type<unknown> };
  return { status, ...(ok as ApiResponseNoStatusOptions) };
}

/**
 * A handler's access rule and OpenAPI description in one decorator (README, "API documentation"): the roles that may
 * call it (also published as `x-roles`), its summary, its success and error responses. Route (@Get, @Post…) and
 * parameter decorators stay as they are; extra documentation (@ApiParam, @ApiBody…) may be added next to it.
 *
 *     @Get()
 *     @Endpoint({ roles: ['superadmin', 'admin'], summary: 'List users', ok: pageOf(UserResponse), errors: [400, 403] })
 *     list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListUsersQueryDto): Promise<Page<UserResponse>> {
 *       return this.users.list(ctx, query);
 *     }
 */
export function Endpoint(options: EndpointOptions): MethodDecorator {
  const { roles } = options;
  // Always explicit, so the status does not depend on the route decorator (Nest's default: 201 for POST, else 200).
  const status = options.okStatus ?? 200;
  const decorators: MethodDecorator[] = [
    ApiOperation({ summary: options.summary, ...(options.description ? { description: options.description } : {}) }),
    ApiResponse(okResponse(options.ok, status)),
    ApiErrors(...options.errors),
    ApiExtension('x-roles', roles === 'public' ? [] : roles === 'any' ? [...ROLES] : [...roles]),
    HttpCode(status),
    roles === 'public' ? Public() : ApiBearerAuth(),
  ];
  if (Array.isArray(roles)) decorators.push(Roles(...roles));
  if (options.ok instanceof PageOf) decorators.push(UseInterceptors(PageInterceptor));
  if (options.tags) decorators.push(ApiTags(...options.tags));
  return applyDecorators(...decorators);
}
