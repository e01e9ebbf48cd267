import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { buildOpenApiDocument } from '../../src/app.setup';
import { ROLES } from '../../src/common/auth/roles';
import { createTestApp, TestApp } from '../setup/test-app';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  'x-roles'?: string[];
}
interface Document {
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, { type?: string }> }> };
}

/** The operations that need no token (the same routes as the route inventory's public list). */
const PUBLIC_OPERATIONS = [
  'get /',
  'get /api',
  'get /api/invites/token/{token}',
  'get /api/take-test/{token}',
  'get /api/v1/media/{media_id}/file',
  'get /health',
  'get /proctor',
  'get /take/{token}',
  'get /web/{asset}',
  'post /api/auth/login',
  'post /api/auth/refresh',
  'post /api/auth/register',
  'post /api/invites/token/{token}/schedule',
  'post /api/start-test/{token}',
  'post /api/submit-test/{token}',
  'post /auth/login',
  'post /auth/refresh',
  'post /auth/register',
  'put /api/take-test/{token}/answers',
];

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let operations: Array<{ key: string; operation: Operation }>;

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body as Document;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ key: `${method} ${path}`, operation })),
    );
  });
  afterAll(() => t.close());

  it('gives every operation a unique id, the alias routes included', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z0-9_]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/auth/login'].post.operationId).toBe('AuthController_login');
    expect(doc.paths['/api/auth/login'].post.operationId).toBe('AuthController_login_api');
    expect(doc.paths['/users'].get.operationId).toBe('UsersController_list');
    expect(doc.paths['/api/v1/users'].get.operationId).toBe('UsersController_list_apiV1');
    expect(doc.paths['/'].get.operationId).toBe('SystemController_root');
    expect(doc.paths['/api'].get.operationId).toBe('SystemController_root_api');
  });

  it('declares every tag it uses, each with a description', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    const used = new Set(operations.flatMap(({ operation }) => operation.tags ?? []));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((tag) => !declared.get(tag))).toEqual([]);
    expect(operations.filter(({ operation }) => !operation.tags?.length).map(({ key }) => key)).toEqual([]);
  });

  it('public operations say `security: []`; every other one requires the bearer token', () => {
    const open = operations.filter(
      ({ operation }) => Array.isArray(operation.security) && operation.security.length === 0,
    );
    expect(open.map(({ key }) => key).sort()).toEqual(PUBLIC_OPERATIONS);
    const others = operations.filter(({ key }) => !PUBLIC_OPERATIONS.includes(key));
    expect(
      others.filter(({ operation }) => JSON.stringify(operation.security) !== '[{"bearer":[]}]').map(({ key }) => key),
    ).toEqual([]);
  });

  it('lists in x-roles the roles that may call each operation (none needed on public ones)', () => {
    const problems = operations.flatMap(({ key, operation }) => {
      const roles = operation['x-roles'];
      if (!Array.isArray(roles)) return [`${key}: no x-roles`];
      if (PUBLIC_OPERATIONS.includes(key)) return roles.length === 0 ? [] : [`${key}: public but x-roles ${roles}`];
      if (roles.length === 0 || roles.some((role) => !(ROLES as readonly string[]).includes(role)))
        return [`${key}: x-roles ${roles}`];
      return [];
    });
    expect(problems).toEqual([]);
    const roles = (method: string, path: string) => doc.paths[path][method]['x-roles'];
    expect(roles('get', '/api/v1/tenants')).toEqual(['superadmin']);
    expect(roles('get', '/api/v1/statistics/overview')).toEqual(['superadmin']);
    expect(roles('get', '/api/v1/users')).toEqual(['superadmin', 'admin']);
    expect(roles('post', '/api/v1/submissions')).toEqual(['superadmin', 'admin', 'candidate']);
    expect(roles('get', '/auth/me')).toEqual([...ROLES]);
  });

  it('speaks of the original APIs, never of "seeds"', () => {
    const found: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (typeof value === 'string') {
        if (/seed/i.test(value)) found.push(`${at}: ${value}`);
      } else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (/seed/i.test(key)) found.push(`${at}: key ${key}`);
          walk(inner, `${at}/${key}`);
        }
      }
    };
    walk(doc, '');
    expect(found).toEqual([]);
  });

  it('types the string fields that used to be published as `object`', () => {
    const all = doc.components.schemas;
    for (const [schema, field] of [
      ['CreateUserDto', 'candidate_id'],
      ['UpdateUserDto', 'candidate_id'],
      ['CreateTenantDto', 'logo_url'],
      ['UpdateTenantDto', 'logo_url'],
      ['UpdateSubmissionDto', 'analysis_completed_at'],
      ['UpdateSubmissionDto', 'regenerated_at'],
    ]) {
      expect([schema, field, all[schema].properties[field].type]).toEqual([schema, field, 'string']);
    }
  });

  it('serves Swagger UI with deep links and persisted authorization', async () => {
    const init = await t.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"deepLinking":\s*true/);
    expect(init.text).toMatch(/"persistAuthorization":\s*true/);
  });

  it('is the document `npm run lint:openapi` lints: built without a database, it equals the served one', async () => {
    const preview = await NestFactory.create(
      AppModule.register({ config: t.config, databaseUrl: 'postgres://127.0.0.1:1/unused' }),
      {
        preview: true,
        logger: false,
        abortOnError: false,
      },
    );
    try {
      expect(JSON.parse(JSON.stringify(buildOpenApiDocument(preview)))).toEqual(doc);
    } finally {
      await preview.close();
    }
  });
});
