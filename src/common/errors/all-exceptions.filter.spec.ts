import { ArgumentsHost, BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { AllExceptionsFilter, MAX_LISTED_ERRORS } from './all-exceptions.filter';
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
  (filter as unknown as { logger: object }).logger = { error: () => undefined, warn: () => undefined };
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
    const error = new QueryFailedError(
      'SELECT secret FROM users WHERE x = $1',
      ['v'],
      new Error('relation "x" does not exist'),
    );
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

  it('maps database errors a client value can cause (NUL in text/jsonb, out-of-range number, too long) to a 400', () => {
    for (const code of ['22021', '22P05', '22003', '22001', '22007', '22008']) {
      const driver = Object.assign(new Error('value problem'), { code });
      expect(run(new QueryFailedError('q', [], driver)).body).toMatchObject({
        status_code: 400,
        code: 'INVALID_INPUT',
      });
    }
    const other = Object.assign(new Error('division by zero'), { code: '22012' });
    expect(run(new QueryFailedError('q', [], other)).status).toBe(500);
  });

  it('maps corrupt gzip/deflate/br bodies (zlib errors made 400 by body-parser) to 400 MALFORMED_BODY', () => {
    for (const [code, errno] of [
      ['Z_DATA_ERROR', -3],
      ['Z_BUF_ERROR', -5],
      ['ERR__ERROR_FORMAT_PADDING_1', -14],
    ] as const) {
      const zlib = Object.assign(new Error('incorrect header check'), {
        code,
        errno,
        status: 400,
        statusCode: 400,
        expose: true,
      });
      expect(run(zlib).body).toMatchObject({ status_code: 400, code: 'MALFORMED_BODY' });
    }
    const unexposed = Object.assign(new Error('internal'), { code: 'Z_DATA_ERROR', errno: -3, status: 400 });
    expect(run(unexposed).status).toBe(500);
  });

  it(`lists at most ${MAX_LISTED_ERRORS} errors[] entries and says how many there were`, () => {
    const errors = Array.from({ length: 900 }, (_, i) => ({ field: `k${i}`, message: `unknown field "k${i}"` }));
    const sent = run(AppError.badRequest('VALIDATION_ERROR', 'Request validation failed', errors));
    expect(sent.body).toMatchObject({
      status_code: 400,
      detail: `Request validation failed (900 errors, the first ${MAX_LISTED_ERRORS} listed)`,
      errors: errors.slice(0, MAX_LISTED_ERRORS),
    });
    const few = run(AppError.badRequest('VALIDATION_ERROR', 'Request validation failed', errors.slice(0, 3)));
    expect(few.body).toMatchObject({ detail: 'Request validation failed', errors: errors.slice(0, 3) });
  });

  it('maps body-parser rejections (413) instead of answering 500', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      type: 'entity.too.large',
      status: 413,
      expose: true,
    });
    expect(run(tooLarge).body).toMatchObject({ status_code: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  describe('dependency failures → 503 SERVICE_UNAVAILABLE with Retry-After (never 401 or 500)', () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    const timeout = new Error('Connection terminated due to connection timeout', {
      cause: new Error('Connection terminated unexpectedly'),
    });
    const cases: [string, unknown][] = [
      ['connection refused (pg connect)', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
      [
        'both addresses refused (AggregateError)',
        Object.assign(new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], ''), {}),
      ],
      ['connection reset mid-query', new QueryFailedError('SELECT 1', [], withCode('read ECONNRESET', 'ECONNRESET'))],
      [
        'server closed the connection',
        new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
      ],
      [
        'admin shutdown 57P01',
        new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01')),
      ],
      ['cannot connect now 57P03', withCode('the database system is shutting down', '57P03')],
      ['too many connections 53300', withCode('sorry, too many clients already', '53300')],
      [
        'statement timeout 57014',
        new QueryFailedError('SELECT 1', [], withCode('canceling statement due to statement timeout', '57014')),
      ],
      ['connection exception class 08', withCode('connection failure', '08006')],
      ['connect timeout', timeout],
      ['pool acquire timeout', new Error('timeout exceeded when trying to connect')],
      ['frozen server (query_timeout)', new QueryFailedError('SELECT 1', [], new Error('Query read timeout'))],
      [
        'Redis unreachable (ioredis retries)',
        Object.assign(
          new Error('Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest"'),
          {
            name: 'MaxRetriesPerRequestError',
          },
        ),
      ],
      ['connection lost inside a transaction (TypeORM released the runner)', new QueryRunnerAlreadyReleasedError()],
      [
        'connection lost inside a transaction (manager of a released runner)',
        new QueryRunnerProviderAlreadyReleasedError(),
      ],
      [
        'S3 unreachable (AWS SDK after its retries)',
        Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9000'), {
          $metadata: { attempts: 3 },
        }),
      ],
      [
        'S3 answering 503 SlowDown',
        Object.assign(new Error('Please reduce your request rate.'), {
          name: 'SlowDown',
          $metadata: { httpStatusCode: 503 },
        }),
      ],
      ['Redis command timeout', new Error('Command timed out')],
      ['Redis connection closed', new Error('Connection is closed.')],
    ];
    it.each(cases)('%s', (_name, exception) => {
      const sent = run(exception);
      expect(sent.status).toBe(503);
      expect(sent.headers['Retry-After']).toBe('5');
      expect(sent.body).toEqual({
        status_code: 503,
        code: 'SERVICE_UNAVAILABLE',
        detail: expect.any(String),
        path: '/api/v1/things',
        request_id: 'req-1',
      });
      expect(JSON.stringify(sent.body)).not.toMatch(/ECONN|SELECT|127\.0\.0\.1|timeout/);
    });

    it('keeps ordinary database and Redis errors a 500', () => {
      expect(run(new QueryFailedError('q', [], withCode('relation "x" does not exist', '42P01'))).status).toBe(500);
      expect(run(Object.assign(new Error('ERR Error running script'), { name: 'ReplyError' })).status).toBe(500);
      // an S3 refusal (4xx) is a misconfiguration or a bug, not an outage
      expect(
        run(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }))
          .status,
      ).toBe(500);
      expect(run(withCode('deadlock detected', '40P01')).status).toBe(500);
    });
  });
});
