import type {
  OpenAPIObject,
  OperationObject,
  TagObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Every tag an operation may carry, declared with a description (Redocly's `operation-tag-defined`). */
export const OPENAPI_TAGS: TagObject[] = [
  { name: 'system', description: 'Name, version and health of the service' },
  {
    name: 'auth',
    description:
      'Log in, refresh, sessions and registration. Served at /auth/* (the original Trajectorie API) and at ' +
      '/api/auth/* (the original Pre-Interview Test API, where a candidate is shown as `applicant`)',
  },
  {
    name: 'users',
    description: 'User accounts of a tenant. Served at /users (the original Trajectorie API) and /api/v1/users',
  },
  { name: 'tenants', description: 'Tenants (companies), their users and statistics' },
  { name: 'statistics', description: 'Platform-wide figures for the superadmin' },
  {
    name: 'configurations',
    description: 'Versioned SJT, JDT and global test configurations, per tenant or system-wide',
  },
  { name: 'competencies', description: 'The competency dictionary of a tenant' },
  { name: 'submissions', description: 'Interview submissions, their recorded media and attempt limits' },
  { name: 'audit', description: 'The audit log of security-relevant actions' },
  {
    name: 'invitations',
    description:
      'Invitations to timed tests (staff), the candidate view and scheduling by invitation token, and my-invites',
  },
  {
    name: 'taking',
    description: 'Taking a timed test by its invitation token: read, start, autosave, submit',
  },
  {
    name: 'tests',
    description: "Timed tests with versioned questions (the original Pre-Interview Test API's /api/tests)",
  },
  {
    name: 'results',
    description: "Results of timed tests, their manual review and CSV export, and a candidate's own results",
  },
  {
    name: 'proctoring',
    description:
      'Live proctoring over REST: sessions (attempts) with their event timeline, reviews, ICE/TURN servers. The live ' +
      'side is the Socket.IO namespace /proctoring (docs/proctoring.md)',
  },
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** What Nest appends to the operation id of a handler served at several paths: `UsersController_list[1]`. */
const ALIAS_ID = /^(.*)\[\d+\]$/;

const camel = (segments: string[]) =>
  segments
    .map((segment, i) => {
      const word = segment.replace(/[^A-Za-z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase());
      return i === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join('');

/**
 * A handler served at several paths (the aliases of the original APIs: /auth and /api/auth, /users and /api/v1/users,
 * / and /api) gets one operation id per path: the shortest path keeps the plain id, the others add the prefix that
 * tells them apart (`AuthController_login`, `AuthController_login_api`; `UsersController_list_apiV1`).
 */
function uniqueAliasIds(operations: Array<{ path: string; operation: OperationObject }>): void {
  const groups = new Map<string, Array<{ path: string; operation: OperationObject }>>();
  for (const entry of operations) {
    const base = entry.operation.operationId?.match(ALIAS_ID)?.[1];
    if (!base) continue;
    groups.set(base, [...(groups.get(base) ?? []), entry]);
  }
  for (const [base, group] of groups) {
    const split = group.map(({ path }) => path.split('/').filter(Boolean));
    // the segments every alias shares at its end (`login` of /auth/login and /api/auth/login… and `auth`)
    let common = 0;
    while (
      split.every((segments) => segments.length > common) &&
      split.every((segments) => segments[segments.length - 1 - common] === split[0][split[0].length - 1 - common])
    ) {
      common += 1;
    }
    group.forEach(({ operation }, i) => {
      const prefix = camel(split[i].slice(0, split[i].length - common));
      operation.operationId = prefix ? `${base}_${prefix}` : base;
    });
  }
}

/**
 * The finishing touches Nest's generator does not make (README, "API documentation"): unique operation ids for the
 * alias routes, `security: []` on public operations (those without a bearer requirement; everything else is
 * protected by the global guard), and the declared tags.
 */
export function finishOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method] as OperationObject | undefined;
      return operation ? [{ path, operation }] : [];
    }),
  );
  uniqueAliasIds(operations);
  for (const { operation } of operations) operation.security ??= [];
  document.tags = OPENAPI_TAGS;
  return document;
}
