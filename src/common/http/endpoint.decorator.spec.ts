import { CallHandler, ExecutionContext } from '@nestjs/common';
import { HTTP_CODE_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { lastValueFrom, of } from 'rxjs';
import { IS_PUBLIC_KEY, ROLES_KEY } from '../auth/decorators';
import { Endpoint, pageOf } from './endpoint.decorator';
import { PageInterceptor } from './page.interceptor';

class Item {}

class Probe {
  @Endpoint({ roles: ['superadmin', 'admin'], summary: 'List', ok: pageOf(Item), errors: [400, 403] })
  list(): void {}

  @Endpoint({ roles: 'any', summary: 'Create', ok: Item, okStatus: 201, errors: [400] })
  create(): void {}

  @Endpoint({ roles: 'public', summary: 'Open', ok: Item, errors: [] })
  open(): void {}
}

const meta = (key: string, handler: () => void) => Reflect.getMetadata(key, handler) as unknown;

describe('@Endpoint', () => {
  const { list, create, open } = Probe.prototype;

  it('restricts to the listed roles; "any" sets no role check; "public" opts out of authentication', () => {
    expect(meta(ROLES_KEY, list)).toEqual(['superadmin', 'admin']);
    expect(meta(ROLES_KEY, create)).toBeUndefined();
    expect(meta(IS_PUBLIC_KEY, create)).toBeUndefined();
    expect(meta(IS_PUBLIC_KEY, open)).toBe(true);
    expect(meta(ROLES_KEY, open)).toBeUndefined();
  });

  it('publishes x-roles and bearer auth (none on public routes)', () => {
    expect(meta(DECORATORS.API_EXTENSION, list)).toEqual({ 'x-roles': ['superadmin', 'admin'] });
    expect(meta(DECORATORS.API_EXTENSION, create)).toEqual({
      'x-roles': ['superadmin', 'admin', 'proctor', 'candidate'],
    });
    expect(meta(DECORATORS.API_EXTENSION, open)).toEqual({ 'x-roles': [] });
    expect(meta(DECORATORS.API_SECURITY, list)).toEqual([{ bearer: [] }]);
    expect(meta(DECORATORS.API_SECURITY, open)).toBeUndefined();
  });

  it('sets the success status explicitly and documents it with the errors', () => {
    expect(meta(HTTP_CODE_METADATA, list)).toBe(200);
    expect(meta(HTTP_CODE_METADATA, create)).toBe(201);
    const responses = meta(DECORATORS.API_RESPONSE, list) as Record<string, { headers?: object }>;
    expect(Object.keys(responses).sort()).toEqual(['200', '400', '403']);
    expect(responses['200'].headers).toHaveProperty('X-Total-Count');
    expect(Object.keys(meta(DECORATORS.API_RESPONSE, create) as object).sort()).toEqual(['201', '400']);
  });

  it('applies the page interceptor to list handlers only', () => {
    expect(meta(INTERCEPTORS_METADATA, list)).toEqual([PageInterceptor]);
    expect(meta(INTERCEPTORS_METADATA, create)).toBeUndefined();
  });
});

describe('PageInterceptor', () => {
  const run = async (value: unknown) => {
    const headers: Record<string, string> = {};
    const context = {
      getClass: () => Probe,
      getHandler: () => Probe.prototype.list,
      switchToHttp: () => ({ getResponse: () => ({ setHeader: (name: string, v: string) => (headers[name] = v) }) }),
    } as unknown as ExecutionContext;
    const next: CallHandler = { handle: () => of(value) };
    const body = await lastValueFrom(new PageInterceptor().intercept(context, next));
    return { body, headers };
  };

  it('sends the items and puts the total in X-Total-Count', async () => {
    expect(await run({ items: [{ a: 1 }], total: 42 })).toEqual({
      body: [{ a: 1 }],
      headers: { 'X-Total-Count': '42' },
    });
    expect(await run({ items: [], total: 0 })).toEqual({ body: [], headers: { 'X-Total-Count': '0' } });
  });

  it('refuses a handler that does not return a page (a programming error, not a silent wrong body)', async () => {
    await expect(run([{ a: 1 }])).rejects.toThrow('Probe.list must return a Page');
  });
});
