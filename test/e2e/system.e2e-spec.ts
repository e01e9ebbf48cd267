import { createTestApp, TestApp } from '../setup/test-app';

describe('System routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET / returns name, version and links', async () => {
    const res = await t.http().get('/').expect(200);
    expect(res.body).toEqual({
      message: 'Trajectorie API',
      version: expect.any(String),
      docs: '/docs',
      health: '/health',
    });
  });

  it('GET /api/ and /api answer like GET / (the Pre-Interview Test API root)', async () => {
    const root = await t.http().get('/').expect(200);
    for (const path of ['/api/', '/api']) {
      const res = await t.http().get(path).expect(200);
      expect(res.body).toEqual(root.body);
    }
  });

  it('GET /health reports the database', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'healthy', database: 'connected', database_type: 'postgresql' });
  });

  it('every response carries X-Request-Id, echoing a well-formed incoming one', async () => {
    const own = await t.http().get('/health').set('X-Request-Id', 'trace-abc.123');
    expect(own.headers['x-request-id']).toBe('trace-abc.123');
    const hostile = await t.http().get('/health').set('X-Request-Id', 'bad id\twith spaces');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an unknown route is a 404 in the error format', async () => {
    const res = await t.http().get('/nope').expect(404);
    expect(res.body).toEqual({
      status_code: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: 'Route GET /nope not found',
      path: '/nope',
      request_id: res.headers['x-request-id'],
    });
  });

  it('malformed JSON is a 400 in the error format', async () => {
    const res = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":')
      .expect(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('serves the OpenAPI document with bearer auth declared', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(res.body.paths['/auth/login'].post).toBeDefined();
    const html = await t.http().get('/docs/').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('sets the OWASP API security headers on JSON responses, and no X-Powered-By', async () => {
    const res = await t.http().get('/health');
    expect(res.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
    const error = await t.http().get('/auth/me').expect(401);
    expect(error.headers['x-frame-options']).toBe('DENY');
  });

  it("serves /docs with helmet's page headers (a CSP that lets Swagger UI run)", async () => {
    const res = await t.http().get('/docs/').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
  });

  it('without CORS_ORIGINS answers no cross-origin request', async () => {
    const preflight = await t
      .http()
      .options('/auth/login')
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const res = await t.http().get('/health').set('Origin', 'https://app.example.test');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.test' });
  });
  afterAll(() => t.close());

  it('allows only the configured origins, with credentials, never "*"', async () => {
    const allowed = await t
      .http()
      .options('/auth/login')
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');

    const denied = await t.http().get('/health').set('Origin', 'https://evil.example.test').expect(200);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('exposes the headers clients need to read', async () => {
    const res = await t.http().get('/health').set('Origin', 'https://app.example.test');
    expect(res.headers['access-control-expose-headers']).toContain('X-Total-Count');
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
  });
});
