import { randomUUID } from 'node:crypto';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC_KEY } from '../../src/common/auth/decorators';
import { createTestApp, TestApp } from '../setup/test-app';

/**
 * Every route must be public on purpose (listed here) or protected by the global JWT guard. Adding a route makes
 * this test walk it; making one public without listing it here fails the test.
 */
const PUBLIC_ROUTES = new Set([
  'GET /',
  'GET /api',
  'GET /api/v1/media/:media_id/file',
  'GET /health',
  'POST /auth/login',
  'POST /api/auth/login',
  'POST /auth/refresh',
  'POST /api/auth/refresh',
  'POST /auth/register',
  'POST /api/auth/register',
  // authorised by the invitation token alone
  'GET /api/invites/token/:token',
  'POST /api/invites/token/:token/schedule',
  'GET /api/take-test/:token',
  'POST /api/start-test/:token',
  'PUT /api/take-test/:token/answers',
  'POST /api/submit-test/:token',
  // the proctoring dashboard and the candidate page, and their files (no data: the pages call the API)
  'GET /proctor',
  'GET /take/:token',
  'GET /web/:asset',
]);
/** Served by the Swagger module, outside Nest controllers. */
const DOCS_ROUTE = /^GET \/docs(-json|-yaml|\/.*)?$/;

interface Route {
  method: string;
  path: string;
}

function expressRoutes(t: TestApp): Route[] {
  const instance = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return instance.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

/** Routes whose handler (or controller) carries @Public(), straight from Nest's metadata. */
function publicHandlers(t: TestApp): string[] {
  const reflector = t.app.get(Reflector);
  const found: string[] = [];
  const controllers = [...t.app.get(ModulesContainer).values()].flatMap((module) => [...module.controllers.values()]);
  for (const { instance, metatype } of controllers) {
    if (!instance || !metatype) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor')) {
      const handler = prototype[name] as () => unknown;
      if (reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, metatype]))
        found.push(`${metatype.name}.${name}`);
    }
  }
  return found;
}

describe('Route inventory', () => {
  let t: TestApp;
  let routes: Route[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = expressRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the application routes', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toContainEqual({ method: 'GET', path: '/auth/me' });
  });

  it('every non-public route answers 401 without a token; every public one does not', async () => {
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      if (DOCS_ROUTE.test(key)) continue;
      const url = path.replace(/:[A-Za-z_]+/g, randomUUID());
      const res = await t.http()[method.toLowerCase() as 'get'](url).send({});
      const isPublic = PUBLIC_ROUTES.has(key);
      if (isPublic && res.status === 401 && res.body.code === 'NOT_AUTHENTICATED')
        failures.push(`${key} is listed public but demanded a token`);
      if (!isPublic && !(res.status === 401 && res.body.code === 'NOT_AUTHENTICATED')) {
        failures.push(`${key} answered ${res.status} without a token`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('the @Public() handlers are exactly the listed public routes', () => {
    const listed = routes.filter(({ method, path }) => PUBLIC_ROUTES.has(`${method} ${path}`));
    expect(listed).toHaveLength(PUBLIC_ROUTES.size);
    // Each public controller method serves its paths under both prefixes where it has two; count handlers.
    expect(publicHandlers(t).sort()).toEqual([
      'AuthController.login',
      'AuthController.refresh',
      'AuthController.register',
      'InvitationTokenController.schedule',
      'InvitationTokenController.view',
      'SignedMediaController.file',
      'SystemController.check',
      'SystemController.root',
      'TakingController.save',
      'TakingController.start',
      'TakingController.submit',
      'TakingController.take',
      'WebPagesController.asset',
      'WebPagesController.proctor',
      'WebPagesController.take',
    ]);
  });

  it('every route is in the OpenAPI document, protected ones with bearer auth and a 401 response', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const missing: string[] = [];
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      if (DOCS_ROUTE.test(key)) continue;
      const openApiPath = path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const operation = doc.paths[openApiPath]?.[method.toLowerCase()];
      if (!operation) {
        missing.push(`${key} is not documented`);
        continue;
      }
      if (!PUBLIC_ROUTES.has(key)) {
        if (!operation.security?.length) missing.push(`${key} has no security requirement`);
        if (!operation.responses['401']) missing.push(`${key} does not document 401`);
      }
    }
    expect(missing).toEqual([]);
  });
});
