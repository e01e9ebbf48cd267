import { ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppError } from './app-error';

function run(exception: unknown) {
  const sent: { status?: number; body?: Record<string, unknown>; headers: Record<string, string> } = { headers: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: Record<string, unknown>) => (sent.body = body),
  };
  const request = { id: 'req-1', path: '/api/v1/things', method: 'GET' };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  const filter = new AllExceptionsFilter();
  (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };
  filter.catch(exception, host);
  return sent;
}

describe('AllExceptionsFilter', () => {
  it('sends an AppError as the error body with its headers', () => {
    const sent = run(AppError.unauthorized('TOKEN_EXPIRED', 'Token has expired'));
    expect(sent.status).toBe(401);
    expect(sent.headers['WWW-Authenticate']).toBe('Bearer');
    expect(sent.body).toEqual({
      status_code: 401,
      code: 'TOKEN_EXPIRED',
      detail: 'Token has expired',
      path: '/api/v1/things',
      request_id: 'req-1',
    });
  });

  it('never leaks a stack, SQL or file path in a 500', () => {
    const error = new QueryFailedError('SELECT secret FROM users WHERE x = $1', ['v'], new Error('relation "x" does not exist'));
    const sent = run(error);
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      status_code: 500,
      code: 'INTERNAL_ERROR',
      detail: 'Internal server error',
      path: '/api/v1/things',
      request_id: 'req-1',
    });
    const plain = run(new TypeError("Cannot read properties of undefined (reading 'x') at /app/src/x.ts:1"));
    expect(JSON.stringify(plain.body)).not.toMatch(/TypeError|\/app\/src|reading/);
  });

  it('maps database errors a client can cause to 4xx', () => {
    const invalid = Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });
    expect(run(new QueryFailedError('q', [], invalid)).status).toBe(400);
    const duplicate = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(run(new QueryFailedError('q', [], duplicate)).body).toMatchObject({ status_code: 409, code: 'DUPLICATE' });
  });

  it('gives Nest HTTP exceptions stable codes', () => {
    expect(run(new NotFoundException('Cannot GET /x')).body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(run(new BadRequestException('Unexpected token } in JSON at position 3')).body).toMatchObject({
      code: 'MALFORMED_JSON',
      detail: 'Request body is not valid JSON',
    });
  });

  it('maps body-parser rejections (413) instead of answering 500', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, expose: true });
    expect(run(tooLarge).body).toMatchObject({ status_code: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
