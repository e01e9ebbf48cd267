import { ERROR_CODES } from '../../src/modules/error-codes';
import { createTestApp, TestApp } from '../setup/test-app';

interface Header {
  required?: boolean;
  schema?: { type?: string };
}
interface Response {
  description?: string;
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: Record<string, unknown> }>;
}
interface Operation {
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<
      string,
      { type?: string; enum?: string[]; required?: string[]; properties?: Record<string, unknown> }
    >;
  };
}

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorBody' };
/** Every operation but GET /health pays into the API throttle, so every one may answer 429. */
const NOT_THROTTLED = ['get /health'];

describe('OpenAPI error responses', () => {
  let t: TestApp;
  let doc: Document;
  let operations: Array<{ key: string; method: string; operation: Operation }>;

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body as Document;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ key: `${method} ${path}`, method, operation })),
    );
  });
  afterAll(() => t.close());

  /** Every problem with one documented response, as readable strings. */
  function problems(key: string, operation: Operation, status: number, headers: string[] = []): string[] {
    const response = operation.responses[status];
    if (!response) return [`${key}: no ${status} response`];
    const found: string[] = [];
    const schema = response.content?.['application/json']?.schema;
    if (!(key === 'get /health' && status === 503) && JSON.stringify(schema) !== JSON.stringify(ERROR_SCHEMA)) {
      found.push(`${key}: ${status} does not use the ErrorBody schema (${JSON.stringify(schema)})`);
    }
    if (!response.description) found.push(`${key}: ${status} has no description`);
    for (const header of headers) {
      if (!response.headers?.[header]?.schema) found.push(`${key}: ${status} does not describe the ${header} header`);
    }
    return found;
  }

  it('the ErrorBody schema is the one error body', () => {
    const schema = doc.components.schemas.ErrorBody;
    expect(schema.required?.sort()).toEqual(['code', 'detail', 'path', 'request_id', 'status_code']);
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
      'code',
      'detail',
      'errors',
      'path',
      'request_id',
      'status_code',
    ]);
  });

  it('every operation documents 500 and 503 (with Retry-After); protected ones 401 with WWW-Authenticate', () => {
    expect(operations.length).toBeGreaterThan(40);
    const found = operations.flatMap(({ key, operation }) => [
      ...problems(key, operation, 500),
      ...problems(key, operation, 503, ['Retry-After']),
      ...(operation.security?.length ? problems(key, operation, 401, ['WWW-Authenticate']) : []),
    ]);
    expect(found).toEqual([]);
  });

  it('every 401 describes WWW-Authenticate and every 429 Retry-After (every route but /health documents 429)', () => {
    const found = operations.flatMap(({ key, operation }) => [
      ...(operation.responses['401'] ? problems(key, operation, 401, ['WWW-Authenticate']) : []),
      ...(NOT_THROTTLED.includes(key) ? [] : problems(key, operation, 429, ['Retry-After'])),
    ]);
    expect(found).toEqual([]);
    expect(operations.filter(({ operation }) => !operation.responses['429']).map(({ key }) => key)).toEqual(
      NOT_THROTTLED,
    );
  });

  it('every operation that takes a body documents 413 and 415', () => {
    const withBody = operations.filter(
      ({ method, operation }) => operation.requestBody || ['post', 'put', 'patch'].includes(method),
    );
    expect(withBody.length).toBeGreaterThan(15);
    const found = withBody.flatMap(({ key, operation }) => [
      ...problems(key, operation, 413),
      ...problems(key, operation, 415),
    ]);
    expect(found).toEqual([]);
  });

  it('every error response of every operation has the ErrorBody schema (GET /health 503 excepted)', () => {
    const found = operations.flatMap(({ key, operation }) =>
      Object.keys(operation.responses)
        .filter((status) => Number(status) >= 400)
        .flatMap((status) => problems(key, operation, Number(status))),
    );
    expect(found).toEqual([]);
  });

  it('GET /health documents its unhealthy 503 body', () => {
    const response = doc.paths['/health'].get.responses['503'];
    expect(response.content?.['application/json']?.schema).toEqual({
      allOf: [
        { $ref: '#/components/schemas/HealthResponse' },
        { properties: { status: { type: 'string', enum: ['unhealthy'] } } },
      ],
      example: { status: 'unhealthy', database: 'disconnected', database_type: 'postgresql' },
    });
  });

  it('media content documents 416 with the error body and Content-Range', () => {
    const operation = doc.paths['/api/v1/submissions/{id}/media/{media_id}/content'].get;
    expect(problems('get media content', operation, 416, ['Content-Range'])).toEqual([]);
  });

  it('publishes the error catalogue: ErrorBody.code is the ErrorCode enum, exactly the codes the catalogues build', async () => {
    expect(doc.components.schemas.ErrorBody.properties?.code).toEqual({ $ref: '#/components/schemas/ErrorCode' });
    const errorCode = doc.components.schemas.ErrorCode;
    expect(errorCode.type).toBe('string');
    expect(errorCode.enum).toEqual([...ERROR_CODES]);
    expect(new Set(errorCode.enum).size).toBe(ERROR_CODES.length);
    // a few from each layer: the framework's, the storage layer's and the features'
    expect(errorCode.enum).toEqual(
      expect.arrayContaining([
        'VALIDATION_ERROR',
        'ROUTE_NOT_FOUND',
        'INTERNAL_ERROR',
        'STORAGE_OBJECT_NOT_FOUND',
        'TENANT_NOT_FOUND',
      ]),
    );
    const answered = await t.http().get('/api/v1/no-such-route').expect(404);
    expect(errorCode.enum).toContain(answered.body.code);
  });
});
