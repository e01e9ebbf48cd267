import { ESLint, Linter } from 'eslint';
import { join } from 'node:path';

/**
 * The module boundaries of docs/module-boundaries.md, as eslint.config.js enforces them: each rule reports a
 * violation written at a (virtual) path inside src/, and the legal imports next to it are not reported.
 */
const ROOT = join(__dirname, '..', '..');
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-properties']);

// The config is loaded with require(): ESLint's own loader uses a dynamic import(), which jest's VM refuses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require(join(ROOT, 'eslint.config.js')) as Linter.Config[];
const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: config });

async function boundaryFindings(
  file: string,
  code: string,
): Promise<{ rule: string; line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result.messages
    .filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => ({ rule: m.ruleId as string, line: m.line, message: m.message }));
}

describe('module boundaries (eslint.config.js)', () => {
  it('src/common and src/domain must not import src/modules', async () => {
    const common = await boundaryFindings(
      'src/common/http/some-helper.ts',
      [
        "import { UsersService } from '../../modules/users/users.service';",
        "import { AppError } from '../errors/app-error';",
        "import { SYSTEM_TENANT_ID } from '../../domain/tenancy';",
        'export const used = [UsersService, AppError, SYSTEM_TENANT_ID];',
      ].join('\n'),
    );
    expect(common).toEqual([
      expect.objectContaining({
        rule: 'no-restricted-imports',
        line: 1,
        message: expect.stringContaining('src/common'),
      }),
    ]);
    const domain = await boundaryFindings(
      'src/domain/some-type.ts',
      "import type { TenantEntity } from '../modules/tenants/entities/tenant.entity';\nexport type T = TenantEntity;\n",
    );
    expect(domain).toEqual([expect.objectContaining({ rule: 'no-restricted-imports', line: 1 })]);
  });

  it('a controller imports neither typeorm nor a repository', async () => {
    const findings = await boundaryFindings(
      'src/modules/submissions/submissions.controller.ts',
      [
        "import { Repository } from 'typeorm';",
        "import { EntityManager } from 'typeorm/entity-manager/EntityManager';",
        "import { SubmissionsRepository } from './submissions.repository';",
        "import { SubmissionsService } from './submissions.service';",
        "import { CreateSubmissionDto } from './dto/create-submission.dto';",
        'export const used = [Repository, EntityManager, SubmissionsRepository, SubmissionsService, CreateSubmissionDto];',
      ].join('\n'),
    );
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['no-restricted-imports', 1],
      ['no-restricted-imports', 2],
      ['no-restricted-imports', 3],
    ]);
    expect(findings[0].message).toContain('Controllers do not touch the database');
    expect(findings[2].message).toContain('Controllers do not use repositories');
    // The same imports are fine in a service.
    const service = await boundaryFindings(
      'src/modules/submissions/submissions.service.ts',
      "import { Repository } from 'typeorm';\nimport { SubmissionsRepository } from './submissions.repository';\nexport const used = [Repository, SubmissionsRepository];\n",
    );
    expect(service).toEqual([]);
  });

  it("a feature does not reach into another feature's entities/, dto/ or repository", async () => {
    const findings = await boundaryFindings(
      'src/modules/tenants/tenants.service.ts',
      [
        "import { UserEntity } from '../users/entities/user.entity';",
        "import { CreateUserDto } from '../users/dto/create-user.dto';",
        "import { SubmissionsRepository } from '../submissions/submissions.repository';",
        "import { visibleUserSql } from '../users/user-rules';",
        // legal: the other feature's index, its modules and services; this feature's own internals; src/domain
        "import { UserResponse } from '../users';",
        "import { ListUsersQueryDto } from '../users/index';",
        "import { UsersService } from '../users/users.service';",
        "import { UsersModule } from '../users/users.module';",
        "import { TenantEntity } from './entities/tenant.entity';",
        "import { CreateTenantDto } from './dto/create-tenant.dto';",
        "import { TEST_TYPES } from '../../domain/test-types';",
      ].join('\n'),
    );
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['no-restricted-imports', 1],
      ['no-restricted-imports', 2],
      ['no-restricted-imports', 3],
      ['no-restricted-imports', 4],
    ]);
    expect(findings[0].message).toContain("Another feature's entities/, dto/, repositories and other internals");

    // Deeper files count their `../` differently; the rule follows.
    const nested = await boundaryFindings(
      'src/modules/submissions/media/dto/media.response.ts',
      [
        "import type { TenantEntity } from '../../../tenants/entities/tenant.entity';",
        "import { MediaFileEntity } from '../../entities/media-file.entity';",
        "import { TenantsService } from '../../../tenants/tenants.service';",
      ].join('\n'),
    );
    expect(nested.map((f) => [f.rule, f.line])).toEqual([['no-restricted-imports', 1]]);
  });

  it('only src/config reads process.env', async () => {
    const code = 'export const port = process.env.PORT;\n';
    expect(await boundaryFindings('src/modules/system/health.service.ts', code)).toEqual([
      expect.objectContaining({
        rule: 'no-restricted-properties',
        line: 1,
        message: expect.stringContaining('src/config'),
      }),
    ]);
    expect(await boundaryFindings('src/common/logging/logger.ts', code)).toHaveLength(1);
    expect(await boundaryFindings('src/main.ts', code)).toHaveLength(1);
    expect(await boundaryFindings('src/config/app-config.ts', code)).toEqual([]);
    expect(await boundaryFindings('test/e2e/some.e2e-spec.ts', code)).toEqual([]);
    expect(await boundaryFindings('bench/run.ts', code)).toEqual([]);
  });
});
